package io.fle4j.testing;

import java.util.List;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDbPointer;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonJavaScript;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonValue;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

/** One value of every BSON type CSFLE can encrypt, split by what the deterministic algorithm allows. */
public final class BsonSamples {
  private BsonSamples() {}

  public static List<BsonValue> everyEncryptableType() {
    return List.of(new BsonString("mongodb"), new BsonString(""), new BsonInt32(-7),
        new BsonInt64(1L << 40), new BsonDateTime(1557827033449L), new BsonObjectId(new ObjectId()),
        new BsonRegularExpression("^a.*", "im"), new BsonDbPointer("db.coll", new ObjectId()),
        new BsonJavaScript("x = 1"), new BsonSymbol("sym"), new BsonTimestamp(5, 6),
        new BsonBinary(new byte[] {1, 2, 3}),
        new BsonBinary(BsonBinarySubType.UUID_STANDARD, new byte[16]));
  }

  public static List<BsonValue> randomOnlyTypes() {
    return List.of(new BsonDouble(1.234), new BsonBoolean(true),
        new BsonDecimal128(Decimal128.parse("1.5")),
        new BsonDocument("a", new BsonInt32(1)).append("b", new BsonDocument("c", new BsonNull())),
        new org.bson.BsonArray(List.of(new BsonInt32(1), new BsonString("two"))),
        new BsonJavaScriptWithScope("f()", new BsonDocument("x", new BsonInt32(1))));
  }

}
