package org.segmentation.schema;

import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;

/** A column of one of our canonical input schemas: the name and type every stage relies on. */
public record CanonicalColumn(String name, DataType type, boolean required) {

  /** The columns as a Spark schema, in order, every field nullable. */
  public static StructType schemaOf(List<CanonicalColumn> columns) {
    StructType schema = new StructType();
    for (CanonicalColumn c : columns) {
      schema = schema.add(c.name(), c.type(), true);
    }
    return schema;
  }
}
