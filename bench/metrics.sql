-- The eight order metrics of SPEC "Metrics", in DuckDB SQL, counted the way
-- src/metrics/mod.rs counts them, over the CSVs written by
-- examples/generate_account.rs. bench/run.py replaces ${DIR} (the account
-- folder) and ${AS_OF} (YYYY-MM-DD, the last day of every window).
--
-- Rules followed, from the code:
--   * A window of N days ending at as-of covers as-of-N+1 .. as-of, on UTC
--     calendar dates (a value with an offset is converted to UTC first).
--   * Rows sharing an order id are one order; rows bought after as-of are
--     dropped before merging. The generator writes the same order-level
--     cells on every item row, so any_value() is the first row's value.
--   * "Order" is a distinct non-cancelled order id, except in the
--     cancellation rate, whose denominator includes cancelled orders.
--   * No fulfillment value means MFN.
--   * "a is after b" compares instants when both cells have a time of day,
--     and UTC calendar dates otherwise (shipping on the ship-by day is on time).
--   * Defects are counted whatever their own date: an order bought in the
--     window is defective if any negative feedback (1-2, not removed), claim
--     (not denied or withdrawn) or chargeback (not fraud, not won) names it.
--   * Valid tracking is tracking_valid = true where that column exists.
-- Windows are the default policies' (policies/performance.toml); run.py
-- checks that ahr's report used the same ones.
-- Every file is read as text, as ahr reads it; cells are trimmed and empty
-- cells are NULL.
SET TimeZone = 'UTC';

WITH raw AS (
    SELECT
        trim(order_id) AS order_id,
        nullif(trim(purchase_date), '') AS purchase_date,
        nullif(lower(trim(status)), '') AS status,
        nullif(lower(trim(fulfillment)), '') AS fulfillment,
        nullif(trim(ship_by), '') AS ship_by,
        nullif(trim(shipped_at), '') AS shipped_at,
        nullif(trim(tracking_valid), '') AS tracking_valid,
        nullif(trim(promised_delivery), '') AS promised_delivery,
        nullif(trim(delivered_at), '') AS delivered_at,
        nullif(lower(trim(cancelled_by)), '') AS cancelled_by
    FROM read_csv('${DIR}/orders.csv', header = true, all_varchar = true)
    WHERE CAST(CAST(trim(purchase_date) AS TIMESTAMPTZ) AS DATE) <= DATE '${AS_OF}'
),
merged AS (
    SELECT
        order_id,
        any_value(purchase_date) AS purchase_date,
        any_value(status) AS status,
        any_value(fulfillment) AS fulfillment,
        any_value(ship_by) AS ship_by,
        any_value(shipped_at) AS shipped_at,
        any_value(tracking_valid) AS tracking_valid,
        any_value(promised_delivery) AS promised_delivery,
        any_value(delivered_at) AS delivered_at,
        any_value(cancelled_by) AS cancelled_by
    FROM raw
    GROUP BY order_id
),
defects AS (
    SELECT DISTINCT trim(order_id) AS order_id
    FROM read_csv('${DIR}/feedback.csv', header = true, all_varchar = true)
    WHERE CAST(trim(rating) AS DOUBLE) <= 2
      AND NOT coalesce(lower(trim(removed)) IN ('true', 'yes', 'y', '1', 't', 'valid'), false)
    UNION
    SELECT trim(order_id)
    FROM read_csv('${DIR}/claims.csv', header = true, all_varchar = true)
    WHERE coalesce(lower(trim(status)), '') NOT IN ('denied', 'withdrawn')
    UNION
    SELECT trim(order_id)
    FROM read_csv('${DIR}/chargebacks.csv', header = true, all_varchar = true)
    WHERE coalesce(lower(trim(kind)), '') <> 'fraud'
      AND coalesce(lower(trim(status)), '') <> 'won'
),
o AS (
    SELECT
        m.order_id,
        CAST(CAST(m.purchase_date AS TIMESTAMPTZ) AS DATE) AS purchase,
        coalesce(m.status IN ('cancelled', 'canceled'), false) AS cancelled,
        coalesce(m.fulfillment IN ('afn', 'amazon', 'fba', 'amazonna', 'amazoneu', 'amazonfe', 'amazonjp'), false) AS afn,
        CAST(m.ship_by AS TIMESTAMPTZ) AS ship_by,
        length(m.ship_by) > 10 AS ship_by_timed,
        CAST(m.shipped_at AS TIMESTAMPTZ) AS shipped,
        length(m.shipped_at) > 10 AS shipped_timed,
        CAST(m.promised_delivery AS TIMESTAMPTZ) AS promised,
        length(m.promised_delivery) > 10 AS promised_timed,
        CAST(m.delivered_at AS TIMESTAMPTZ) AS delivered,
        length(m.delivered_at) > 10 AS delivered_timed,
        coalesce(lower(m.tracking_valid) IN ('true', 'yes', 'y', '1', 't', 'valid'), false) AS tracked,
        coalesce(m.status IN ('shipped', 'shipping', 'delivered', 'shipped–deliveredtobuyer', 'shippeddeliveredtobuyer'), false) AS left_warehouse,
        coalesce(m.cancelled_by IN ('buyer', 'customer', 'buyerrequested'), false) AS by_buyer,
        d.order_id IS NOT NULL AS defective
    FROM merged m
    LEFT JOIN defects d ON d.order_id = m.order_id
),
-- Each cell is cast once: MATERIALIZED keeps DuckDB from inlining the casts
-- into every one of the sixteen FILTER clauses below.
t AS MATERIALIZED (
    SELECT
        afn,
        cancelled,
        defective,
        tracked,
        by_buyer,
        left_warehouse,
        purchase,
        CAST(ship_by AS DATE) AS ship_by_day,
        CAST(shipped AS DATE) AS shipped_day,
        CAST(promised AS DATE) AS promised_day,
        shipped IS NULL AS unshipped_date,
        delivered IS NOT NULL AS delivered_known,
        coalesce(CASE WHEN shipped_timed AND ship_by_timed THEN shipped > ship_by
             ELSE CAST(shipped AS DATE) > CAST(ship_by AS DATE) END, false) AS shipped_late,
        coalesce(CASE WHEN delivered_timed AND promised_timed THEN delivered > promised
             ELSE CAST(delivered AS DATE) > CAST(promised AS DATE) END, false) AS delivered_late,
        DATE '${AS_OF}' AS as_of
    FROM o
),
counted AS (
    SELECT
        count(*) FILTER (WHERE NOT cancelled AND purchase BETWEEN as_of - 59 AND as_of AND defective) AS odr_n,
        count(*) FILTER (WHERE NOT cancelled AND purchase BETWEEN as_of - 59 AND as_of) AS odr_d,
        count(*) FILTER (WHERE NOT cancelled AND NOT afn AND purchase BETWEEN as_of - 59 AND as_of AND defective) AS odr_mfn_n,
        count(*) FILTER (WHERE NOT cancelled AND NOT afn AND purchase BETWEEN as_of - 59 AND as_of) AS odr_mfn_d,
        count(*) FILTER (WHERE NOT cancelled AND afn AND purchase BETWEEN as_of - 59 AND as_of AND defective) AS odr_afn_n,
        count(*) FILTER (WHERE NOT cancelled AND afn AND purchase BETWEEN as_of - 59 AND as_of) AS odr_afn_d,
        count(*) FILTER (WHERE NOT afn AND NOT cancelled AND ship_by_day BETWEEN as_of - 9 AND as_of
            AND (shipped_late OR (unshipped_date AND NOT left_warehouse AND ship_by_day < as_of))) AS lsr10_n,
        count(*) FILTER (WHERE NOT afn AND NOT cancelled AND ship_by_day BETWEEN as_of - 9 AND as_of) AS lsr10_d,
        count(*) FILTER (WHERE NOT afn AND NOT cancelled AND ship_by_day BETWEEN as_of - 29 AND as_of
            AND (shipped_late OR (unshipped_date AND NOT left_warehouse AND ship_by_day < as_of))) AS lsr30_n,
        count(*) FILTER (WHERE NOT afn AND NOT cancelled AND ship_by_day BETWEEN as_of - 29 AND as_of) AS lsr30_d,
        count(*) FILTER (WHERE NOT afn AND purchase BETWEEN as_of - 6 AND as_of
            AND cancelled AND NOT by_buyer) AS cancel_n,
        count(*) FILTER (WHERE NOT afn AND purchase BETWEEN as_of - 6 AND as_of) AS cancel_d,
        count(*) FILTER (WHERE NOT afn AND NOT cancelled AND shipped_day BETWEEN as_of - 29 AND as_of AND tracked) AS vtr_n,
        count(*) FILTER (WHERE NOT afn AND NOT cancelled AND shipped_day BETWEEN as_of - 29 AND as_of) AS vtr_d,
        count(*) FILTER (WHERE NOT afn AND NOT cancelled AND tracked AND promised_day BETWEEN as_of - 13 AND as_of
            AND delivered_known AND NOT delivered_late) AS otd_n,
        count(*) FILTER (WHERE NOT afn AND NOT cancelled AND tracked AND promised_day BETWEEN as_of - 13 AND as_of) AS otd_d
    FROM t
)
-- One row per metric, reading `counted` once.
SELECT
    unnest(['order_defect_rate', 'order_defect_rate_mfn', 'order_defect_rate_afn',
            'late_shipment_rate_10d', 'late_shipment_rate_30d', 'pre_fulfillment_cancel_rate',
            'valid_tracking_rate', 'on_time_delivery_rate']) AS metric,
    unnest([odr_n, odr_mfn_n, odr_afn_n, lsr10_n, lsr30_n, cancel_n, vtr_n, otd_n]) AS numerator,
    unnest([odr_d, odr_mfn_d, odr_afn_d, lsr10_d, lsr30_d, cancel_d, vtr_d, otd_d]) AS denominator
FROM counted;
