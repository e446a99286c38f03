package io.fle4j.spring.app;

import java.util.List;
import org.springframework.data.mongodb.repository.MongoRepository;

/** A plain repository, with a derived query on the (encrypted) ssn. */
public interface PatientRepository extends MongoRepository<Patient, Integer> {
  List<Patient> findBySsn(String ssn);
}
