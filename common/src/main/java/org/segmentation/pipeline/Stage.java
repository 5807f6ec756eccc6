package org.segmentation.pipeline;

import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One computation inside a {@link Step}: a pure function from one Dataset to another. Pure means no reads, no writes,
 * no actions, no clock and no globals: the run date and settings come in through the implementing record's fields, so
 * a stage can be tested on a hand-made fixture and its plan inspected without running it. Work that must run a Spark
 * action (fitting cut points, a model, profiles) says so in its name ({@code fit}, {@code profile}) and returns a
 * small result instead.
 */
@FunctionalInterface
public interface Stage extends UnaryOperator<Dataset<Row>> {}
