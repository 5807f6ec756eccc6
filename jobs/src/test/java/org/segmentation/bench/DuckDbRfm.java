package org.segmentation.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Benchmark (c): the same RFM aggregate and tie-respecting scores in DuckDB (2 threads), from the same Parquet, to
 * Parquet. {@code rank() - 1} is the number of customers with a strictly lower value, so the scores follow the job's
 * definition exactly: 1 + floor(5 * L / N).
 */
public final class DuckDbRfm {
  private DuckDbRfm() {}

  public static void main(String[] args) throws SQLException {
    BenchArgs in = BenchArgs.parse(args);
    String runDate = in.runDate().toString();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
         Statement sql = connection.createStatement()) {
      sql.execute("SET threads = " + in.values().getOrDefault("threads", "2"));
      sql.execute("SET TimeZone = 'UTC'");
      sql.execute("""
          COPY (
            WITH orders AS (
              SELECT customer_id, order_id, sum(amount) AS net, max(CAST(order_ts AS DATE)) AS day
              FROM read_parquet('%s/*.parquet')
              WHERE CAST(order_ts AS DATE) <= DATE '%s'
              GROUP BY customer_id, order_id),
            customers AS (
              SELECT customer_id,
                     date_diff('day', max(CASE WHEN net > 0 THEN day END), DATE '%s') AS recency_days,
                     count(CASE WHEN net > 0 THEN 1 END) AS frequency,
                     sum(net) AS monetary
              FROM orders GROUP BY customer_id),
            scored AS (SELECT * FROM customers WHERE frequency > 0),
            n AS (SELECT count(*) AS n FROM scored)
            SELECT s.*,
                   1 + floor(5 * (rank() OVER (ORDER BY recency_days DESC) - 1) / n.n) AS r_score,
                   1 + floor(5 * (rank() OVER (ORDER BY frequency) - 1) / n.n) AS f_score,
                   1 + floor(5 * (rank() OVER (ORDER BY monetary) - 1) / n.n) AS m_score
            FROM scored s, n
            UNION ALL
            SELECT *, NULL, NULL, NULL FROM customers WHERE frequency = 0
          ) TO '%s' (FORMAT parquet)
          """.formatted(in.get("purchases"), runDate, runDate, in.get("output")));
    }
  }
}
