package org.segmentation.schema;

import org.apache.spark.sql.types.DataType;

/** A column of one of our canonical input schemas: the name and type every stage relies on. */
public record CanonicalColumn(String name, DataType type, boolean required) {}
