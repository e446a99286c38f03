package io.fle4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/** Prints results as an aligned table or as JSON (relaxed extended JSON, one document). */
final class Output {
  private static final JsonWriterSettings JSON =
      JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).indent(true).build();
  private static final JsonWriterSettings INLINE =
      JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

  private Output() {}

  static void json(PrintWriter out, BsonValue value) {
    if (value.isDocument()) {
      out.println(value.asDocument().toJson(JSON));
    } else {
      String wrapped = new BsonDocument("v", value).toJson(JSON);
      // Unwrap {"v": ...} so arrays and scalars print as themselves.
      out.println(wrapped.substring(wrapped.indexOf(':') + 1, wrapped.lastIndexOf('}')).strip());
    }
  }

  static void jsonArray(PrintWriter out, List<BsonDocument> documents) {
    json(out, new BsonArray(new ArrayList<>(documents)));
  }

  /** A value as compact relaxed JSON, for table cells. */
  static String inline(BsonValue value) {
    String wrapped = new BsonDocument("v", value).toJson(INLINE);
    return wrapped.substring(wrapped.indexOf(':') + 1, wrapped.length() - 1).strip();
  }

  static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < headers.size(); i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(out, headers, widths);
    List<String> rules = new ArrayList<>();
    for (int width : widths) {
      rules.add("-".repeat(width));
    }
    printRow(out, rules, widths);
    for (List<String> row : rows) {
      printRow(out, row, widths);
    }
  }

  /** Label/value lines for one object. */
  static void fields(PrintWriter out, List<String[]> fields) {
    int width = fields.stream().mapToInt(f -> f[0].length()).max().orElse(0);
    for (String[] field : fields) {
      out.printf("%-" + width + "s  %s%n", field[0], field[1]);
    }
  }

  private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      line.append(i == 0 ? "" : "  ");
      line.append(i == cells.size() - 1 ? cells.get(i) : String.format("%-" + widths[i] + "s", cells.get(i)));
    }
    out.println(line.toString().stripTrailing());
  }
}
