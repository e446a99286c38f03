package io.fle4j.spring.app;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/** A plain entity: nothing in it says "encrypted"; the schema in the properties does. */
@Document("patients")
public class Patient {
  @Id
  public Integer id;
  public String name;
  public String ssn;

  /** A patient with an id, a name and a social security number. */
  public static Patient of(int id, String name, String ssn) {
    Patient patient = new Patient();
    patient.id = id;
    patient.name = name;
    patient.ssn = ssn;
    return patient;
  }
}
