//! Amazon's own downloads as they come: recognised by header, decoded from
//! their marketplace's encoding, and audited to the same metrics as the
//! same account written in ahr's canonical columns.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ahr"))
        .args(args)
        .output()
        .expect("ahr runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn audit_json(dir: &Path) -> Value {
    let (code, stdout, stderr) = run(&["audit", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("the report is JSON")
}

fn input<'a>(report: &'a Value, file: &str) -> &'a Value {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["file"] == file)
        .unwrap_or_else(|| panic!("no input {file} in {}", report["inputs"]))
}

/// A scratch folder, removed when dropped (even if the test panics).
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix(&format!("ahr-formats-{name}-"))
            .tempdir()
            .unwrap();
        Scratch(dir)
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.path().join(name), bytes).unwrap();
    }
    fn copy(&self, from: &Path, name: &str) {
        std::fs::copy(from, self.path().join(name)).unwrap();
    }
    /// Copies `names` from the fixture folder `fixture_name`, names kept.
    fn take(&self, fixture_name: &str, names: &[&str]) {
        for name in names {
            self.copy(&fixture(fixture_name).join(name), name);
        }
    }
}

/// Numerator, denominator and status of every metric.
fn metric_numbers(report: &Value) -> Vec<(String, Value, Value, Value)> {
    report["metrics"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, m)| {
            (
                id.clone(),
                m["numerator"].clone(),
                m["denominator"].clone(),
                m["status"].clone(),
            )
        })
        .collect()
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["rule"], f["status"]))
        .collect()
}

#[test]
fn native_files_are_recognised_by_their_header_and_named_in_inputs() {
    let report = audit_json(&fixture("amazon-native-us"));
    let expected = [
        ("All Orders Report_12345.txt", "orders", "amazon-all-orders"),
        ("Seller Feedback Report.txt", "feedback", "amazon-feedback"),
        ("Returns Report_67890.txt", "returns", "amazon-fbm-returns"),
        (
            "FBA Customer Returns_22222.txt",
            "returns",
            "amazon-fba-returns",
        ),
        (
            "Active Listings Report_11111.txt",
            "offers",
            "amazon-listings",
        ),
        ("health_history.csv", "health_history", "canonical"),
        (
            "performance.json",
            "performance",
            "amazon-seller-performance-v2",
        ),
    ];
    for (file, kind, format) in expected {
        let i = input(&report, file);
        assert_eq!(i["kind"], kind, "{file}");
        assert_eq!(i["format"], format, "{file}");
        assert_eq!(i["skipped"], 0, "{file}: {}", i["problems"]);
    }
    assert_eq!(report["ignored"], serde_json::json!([]));
    // 450 orders (442 not cancelled) from 514 item rows: the items of one
    // order are one order.
    assert_eq!(input(&report, "All Orders Report_12345.txt")["rows"], 514);
    let volume = report["score"]["breakdown"][1]["label"].as_str().unwrap();
    assert!(volume.contains("442 orders"), "{volume}");
}

#[test]
fn native_accounts_give_the_metrics_of_their_canonical_twins() {
    for market in ["us", "de", "jp"] {
        let native = audit_json(&fixture(&format!("amazon-native-{market}")));
        let twin = audit_json(&fixture(&format!("amazon-native-{market}-twin")));
        assert_eq!(metric_numbers(&native), metric_numbers(&twin), "{market}");
        assert_eq!(rules(&native), rules(&twin), "{market}");
        assert_eq!(native["score"]["value"], twin["score"]["value"], "{market}");
        assert_eq!(native["as_of"], twin["as_of"], "{market}");
        // Not vacuous: the defects are there in both.
        assert!(
            native["metrics"]["order_defect_rate"]["numerator"]
                .as_u64()
                .unwrap()
                >= 2,
            "{market}"
        );
    }
}

#[test]
fn all_orders_report_has_no_ship_dates_and_says_so() {
    let report = audit_json(&fixture("amazon-native-us"));
    for id in ["late_shipment_rate_10d", "valid_tracking_rate"] {
        let m = &report["metrics"][id];
        assert_eq!(m["status"], "insufficient_data");
        let reason = m["reason"].as_str().unwrap();
        assert!(reason.contains("All Orders Report_12345.txt"), "{reason}");
    }
    let notes = report["notes"].to_string();
    assert!(
        notes.contains("All Orders report, which has no ship dates"),
        "{notes}"
    );
    // The order-level fields it does have still count: a seller cancellation.
    let cr = &report["metrics"]["pre_fulfillment_cancel_rate"];
    assert_eq!(
        (cr["numerator"].as_u64(), cr["denominator"].as_u64()),
        (Some(1), Some(11))
    );
    // The rules that read those metrics were not judged: not "passed", in
    // the JSON or on a CI tab.
    let rule = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "PERF-LSR-10")
        .unwrap();
    assert_eq!(rule["status"], "no_data", "{rule}");
    assert!(
        rule["no_data"]
            .as_str()
            .unwrap()
            .contains("no ship_by column")
    );
    let (_, junit, _) = run(&[
        "audit",
        fixture("amazon-native-us").to_str().unwrap(),
        "--format",
        "junit",
    ]);
    let case = junit
        .lines()
        .skip_while(|l| !l.contains("PERF-LSR-10"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        case.contains("<skipped message=\"no data: late_shipment_rate_10d:"),
        "{junit}"
    );
}

#[test]
fn an_a_to_z_claim_on_a_return_is_an_order_defect() {
    let report = audit_json(&fixture("amazon-native-us"));
    let odr = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "PERF-ODR")
        .expect("PERF-ODR fires");
    let evidence = odr["evidence"].as_array().unwrap();
    assert!(
        evidence
            .iter()
            .any(|e| e["file"] == "Returns Report_67890.txt"
                && e["line"] == 3
                && e["excerpt"].as_str().unwrap().contains("A-to-z claim")),
        "{evidence:?}"
    );
}

#[test]
fn eu_and_jp_encodings_are_detected_and_decoded() {
    let de = audit_json(&fixture("amazon-native-de"));
    assert_eq!(
        input(&de, "All Orders Report_23456.txt")["encoding"],
        "windows-1252"
    );
    assert_eq!(
        input(&de, "Seller Feedback Report.txt")["encoding"],
        "windows-1252"
    );
    assert_eq!(
        input(&de, "Seller Feedback Report.txt")["format"],
        "amazon-feedback"
    );
    let de_text = de["findings"].to_string();
    assert!(de_text.contains("Falsche Größe geliefert"), "{de_text}");

    let jp = audit_json(&fixture("amazon-native-jp"));
    assert_eq!(
        input(&jp, "All Orders Report_34567.txt.gz")["encoding"],
        "shift_jis+gzip"
    );
    assert_eq!(
        input(&jp, "All Orders Report_34567.txt.gz")["format"],
        "amazon-all-orders"
    );
    assert_eq!(
        input(&jp, "Seller Feedback Report.txt")["encoding"],
        "shift_jis"
    );
    let jp_text = jp["findings"].to_string();
    assert!(jp_text.contains("サイズが違いました"), "{jp_text}");
}

#[test]
fn performance_report_is_shown_beside_ahrs_counts() {
    let report = audit_json(&fixture("amazon-native-us"));
    let amazon = &report["amazon"];
    assert_eq!(amazon["account_status"], "NORMAL");
    assert_eq!(amazon["differing"], 1);
    let us = &amazon["marketplaces"][0];
    assert_eq!(us["marketplace"], "US");
    assert_eq!(us["compared"], true);
    assert_eq!(us["ahr_score"], 310);
    let metric = |id: &str| {
        us["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["metric"] == id)
            .unwrap()
            .clone()
    };
    let mfn = metric("order_defect_rate_mfn");
    assert_eq!(mfn["differs"], false);
    assert_eq!(mfn["ahr"]["numerator"], mfn["amazon"]["numerator"]);
    assert_eq!(mfn["ahr"]["from"], "2026-09-07");
    let afn = metric("order_defect_rate_afn");
    assert_eq!(afn["differs"], true);
    assert_eq!(
        (
            afn["amazon"]["numerator"].as_u64(),
            afn["ahr"]["numerator"].as_u64()
        ),
        (Some(1), Some(0))
    );
    let lsr = metric("late_shipment_rate");
    assert_eq!(lsr["ahr_metric"], "late_shipment_rate_30d");
    assert_eq!(lsr["differs"], Value::Null);
    assert!(lsr["reason"].as_str().unwrap().contains("ship_by"));

    let (code, table, _) = run(&["audit", fixture("amazon-native-us").to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        table.contains("AMAZON'S NUMBERS (performance.json)"),
        "{table}"
    );
    assert!(table.contains("DIFFERS"), "{table}");
    assert!(table.contains("read as amazon-all-orders"), "{table}");
}

#[test]
fn account_health_assurance_says_why_not_and_from_when() {
    let us = audit_json(&fixture("amazon-native-us"));
    let a = &us["assurance"];
    assert_eq!(a["eligible"], false);
    assert_eq!(a["days_below"], 12);
    assert_eq!(a["eligible_from"], "2027-01-02");
    assert!(a["reasons"][0].as_str().unwrap().contains("12 days"));

    let de = audit_json(&fixture("amazon-native-de"));
    let reasons = de["assurance"]["reasons"].to_string();
    assert!(reasons.contains("US and CA"), "{reasons}");
    assert!(reasons.contains("emergency_contact"), "{reasons}");
    assert_eq!(de["assurance"]["days_below"], 0);

    // No AHR history, no verdict.
    let jp = audit_json(&fixture("amazon-native-jp"));
    assert!(jp.get("assurance").is_none());

    let (_, table, _) = run(&["audit", fixture("amazon-native-us").to_str().unwrap()]);
    assert!(table.contains("could qualify from 2027-01-02"), "{table}");
}

#[test]
fn feedback_dates_are_read_in_the_one_order_that_fits_them_all_without_a_marketplace() {
    let dir = Scratch::new("ambiguous");
    dir.take("amazon-native-us", &["All Orders Report_12345.txt"]);
    // `5/31/26` can only be month first, so `11/9/26` is 9 November.
    dir.take("amazon-native-us", &["Seller Feedback Report.txt"]);
    let guessed = audit_json(dir.path());
    let fb = input(&guessed, "Seller Feedback Report.txt");
    assert_eq!(fb["skipped"], 0, "{fb}");
    assert!(fb["problems"].to_string().contains("M/D/YY"), "{fb}");
    dir.write("account.toml", "marketplace = \"US\"\n");
    let told = audit_json(dir.path());
    assert_eq!(
        metric_numbers(&guessed),
        metric_numbers(&told),
        "the same dates as with the marketplace set"
    );

    // Dates that read two ways in every order are read in the order of the
    // marketplace the raters' addresses are at.
    std::fs::remove_file(dir.path().join("account.toml")).unwrap();
    let two_ways = |domain: &str| {
        format!(
            "Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n\
             11/9/26\t1\tBroken\t\t113-1007919-2104729\ta@{domain}\n\
             10/11/26\t5\tGreat\t\t113-1079190-3047290\tb@{domain}\n"
        )
    };
    for (domain, order) in [
        ("marketplace.amazon.com", "M/D/YY"),
        ("marketplace.amazon.co.uk", "D/M/YY"),
    ] {
        dir.write("Seller Feedback Report.txt", two_ways(domain));
        let report = audit_json(dir.path());
        let fb = input(&report, "Seller Feedback Report.txt");
        assert_eq!(fb["skipped"], 0, "{fb}");
        let problems = fb["problems"].to_string();
        assert!(
            problems.contains(&format!("dates read as {order}")),
            "{problems}"
        );
        assert!(problems.contains("raters' addresses"), "{problems}");
    }

    // Without such addresses nothing decides: the audit stops rather than
    // drop the negative feedback they may hold.
    dir.write("Seller Feedback Report.txt", two_ways("example.com"));
    let (code, _, stderr) = run(&["audit", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("Seller Feedback Report.txt:2"), "{stderr}");
    assert!(stderr.contains("ambiguous"), "{stderr}");
    assert!(stderr.contains("marketplace"), "{stderr}");
}

#[test]
fn feedback_dates_the_named_marketplace_cannot_read_are_read_in_the_order_that_reads_them_all() {
    // An Amazon.ca report written month first while account.toml says CA
    // (day first): read day first, 18/11 is no date and 11/9 is 11
    // September. Read month first, every date is a date.
    let dir = Scratch::new("named-wrong");
    dir.take(
        "amazon-native-us",
        &["All Orders Report_12345.txt", "Seller Feedback Report.txt"],
    );
    dir.write("account.toml", "marketplace = \"US\"\n");
    let right = audit_json(dir.path());
    dir.write("account.toml", "marketplace = \"CA\"\n");
    let named_wrong = audit_json(dir.path());
    let fb = input(&named_wrong, "Seller Feedback Report.txt");
    assert_eq!(fb["skipped"], 0, "{fb}");
    assert!(
        fb["problems"]
            .to_string()
            .contains("dates read as M/D/YY, not D/M/YY"),
        "{fb}"
    );
    assert_eq!(metric_numbers(&named_wrong), metric_numbers(&right));

    // A date no order reads is the row's own problem; the rest stay as named.
    dir.write(
        "Seller Feedback Report.txt",
        "Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n\
         14/11/26\t1\tBroken\t\t113-1007919-2104729\ta@marketplace.amazon.ca\n\
         31/31/26\t5\tGreat\t\t113-1079190-3047290\tb@marketplace.amazon.ca\n",
    );
    let report = audit_json(dir.path());
    let fb = input(&report, "Seller Feedback Report.txt");
    assert_eq!(fb["skipped"], 1, "{fb}");
    assert_eq!(fb["problems"][0]["line"], 3, "{fb}");
}

#[test]
fn a_localized_feedback_report_saved_as_feedback_txt_is_read_by_position() {
    let dir = Scratch::new("feedback-stem");
    dir.copy(
        &fixture("amazon-native-de").join("Seller Feedback Report.txt"),
        "feedback.txt",
    );
    dir.take("amazon-native-de", &["All Orders Report_23456.txt"]);
    dir.write("account.toml", "marketplace = \"DE\"\n");
    let report = audit_json(dir.path());
    let fb = input(&report, "feedback.txt");
    assert_eq!(fb["format"], "amazon-feedback");
    assert_eq!(fb["skipped"], 0);
    assert_eq!(report["metrics"]["order_defect_rate"]["numerator"], 2);
}

#[test]
fn an_all_orders_report_fills_in_an_orders_file_beside_it() {
    let dir = Scratch::new("merge");
    // orders.csv knows ship dates but not the channel; the All Orders report
    // knows the channel, and one order orders.csv does not list.
    dir.write(
        "orders.csv",
        "order_id,purchase_date,status,ship_by,shipped_at\n\
         111-0000001-0000001,2026-11-10,Shipped,2026-11-10,2026-11-12\n\
         111-0000002-0000002,2026-11-11,Shipped,2026-11-11,2026-11-11\n",
    );
    dir.write(
        "All Orders Report_1.txt",
        "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\tsales-channel\tproduct-name\n\
         111-0000001-0000001\t\t2026-11-10T08:00:00+00:00\t2026-11-10T08:00:00+00:00\tShipped\tMerchant\tAmazon.com\t10\" pan\n\
         111-0000002-0000002\t\t2026-11-11T08:00:00+00:00\t2026-11-11T08:00:00+00:00\tShipped\tAmazon\tAmazon.com\t\"Deluxe\" lid\n\
         111-0000003-0000003\t\t2026-11-12T08:00:00+00:00\t2026-11-12T08:00:00+00:00\tShipped\tMerchant\tAmazon.com\tspoon\n",
    );
    let report = audit_json(dir.path());
    let all_orders = input(&report, "All Orders Report_1.txt");
    assert_eq!(all_orders["skipped"], 0, "{}", all_orders["problems"]);
    let problems = all_orders["problems"].to_string();
    assert!(
        problems.contains("fills in what orders.csv lacks"),
        "{problems}"
    );
    assert!(
        problems.contains("1 order is not in orders.csv and not counted"),
        "{problems}"
    );
    // Order 2 is Amazon-fulfilled now, so only order 1 (late) counts.
    let lsr = &report["metrics"]["late_shipment_rate_30d"];
    assert_eq!(
        (lsr["numerator"].as_u64(), lsr["denominator"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(
        !report["notes"]
            .to_string()
            .contains("no fulfillment column")
    );
}

/// A small deterministic generator: the same orders written as Amazon's All
/// Orders report (item rows, Amazon/Merchant, unquoted tabs) and as a
/// canonical orders.csv, with feedback in both forms.
#[test]
fn generated_all_orders_twins_agree_on_every_metric() {
    for seed in [1u64, 7, 42] {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let statuses = [
            "Shipped",
            "Shipped",
            "Shipped",
            "Pending",
            "Unshipped",
            "Cancelled",
        ];
        let mut native = String::from(
            "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\tsales-channel\torder-channel\turl\tship-service-level\tproduct-name\tsku\tasin\titem-status\tquantity\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\titem-promotion-discount\tship-promotion-discount\tship-city\tship-state\tship-postal-code\tship-country\tpromotion-ids\n",
        );
        let mut canonical = String::from("order_id,purchase_date,status,fulfillment\n");
        let mut feedback_native =
            String::from("Date\tRating\tComments\tResponse\tOrder ID\tRater Email\n");
        let mut feedback_canonical = String::from("date,rating,comments,order_id\n");
        for n in 0..400u64 {
            let id = format!("113-{:07}-{:07}", 1000000 + n, 2000000 + n * 3);
            let back = next(120);
            let day =
                chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap() - chrono::Days::new(back);
            let status = statuses[next(statuses.len() as u64) as usize];
            let afn = next(3) == 0;
            let (channel, short) = if afn {
                ("Amazon", "AFN")
            } else {
                ("Merchant", "MFN")
            };
            // Multi-channel fulfillment orders are in Amazon's report only,
            // and count in neither form.
            let sales_channel = if n % 25 == 0 {
                "Non-Amazon"
            } else {
                "Amazon.com"
            };
            if n % 25 != 0 {
                canonical.push_str(&format!("{id},{day},{status},{short}\n"));
            }
            // Each order ships to its own postal code: the canonical twin has
            // no address columns, so nothing may hinge on addresses.
            let postal = 10000 + n;
            for item in 0..=next(3) {
                native.push_str(&format!(
                    "{id}\t\t{day}T10:00:00+00:00\t{day}T12:00:00+00:00\t{status}\t{channel}\t{sales_channel}\t\t\tStandard\t8\" pan \"pro\"\tSKU-{item}\tB00000000{item}\t{status}\t1\tUSD\t19.99\t0\t0\t0\t0\t0\t0\t0\tSeattle\tWA\t{postal}\tUS\t\n"
                ));
            }
            if n % 25 != 0 && next(9) == 0 {
                let rating = 1 + next(5);
                let fb_day = day + chrono::Days::new(2);
                let us_date = fb_day.format("%-m/%-d/%y");
                feedback_native.push_str(&format!(
                    "{us_date}\t{rating}\tsaid \"meh\"\t\t{id}\tx@marketplace.amazon.com\n"
                ));
                feedback_canonical
                    .push_str(&format!("{fb_day},{rating},\"said \"\"meh\"\"\",{id}\n"));
            }
        }
        let a = Scratch::new(&format!("gen-native-{seed}"));
        a.write("All Orders Report_9.txt", &native);
        a.write("Seller Feedback Report.txt", &feedback_native);
        a.write("account.toml", "marketplace = \"US\"\n");
        let b = Scratch::new(&format!("gen-canonical-{seed}"));
        b.write("orders.csv", &canonical);
        b.write("feedback.csv", &feedback_canonical);
        b.write("account.toml", "marketplace = \"US\"\n");
        let (ra, rb) = (audit_json(a.path()), audit_json(b.path()));
        assert_eq!(metric_numbers(&ra), metric_numbers(&rb), "seed {seed}");
        assert_eq!(rules(&ra), rules(&rb), "seed {seed}");
        let all_orders = input(&ra, "All Orders Report_9.txt");
        assert_eq!(all_orders["skipped"], 0, "seed {seed}");
        assert!(
            all_orders["problems"]
                .to_string()
                .contains("Non-Amazon (multi-channel fulfillment)"),
            "seed {seed}: {}",
            all_orders["problems"]
        );
        assert!(
            ra["metrics"]["order_defect_rate"]["denominator"]
                .as_u64()
                .unwrap()
                > 50
        );
    }
}

#[test]
fn returns_for_defective_items_are_a_signal() {
    let dir = Scratch::new("returns-signal");
    dir.take("amazon-native-us", &["All Orders Report_12345.txt"]);
    let mut fba = String::from(
        "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\tdetailed-disposition\treason\tstatus\tlicense-plate-number\tcustomer-comments\n",
    );
    for (n, reason) in [
        "DEFECTIVE",
        "NOT_AS_DESCRIBED",
        "UNWANTED_ITEM",
        "QUALITY_UNACCEPTABLE",
    ]
    .iter()
    .enumerate()
    {
        fba.push_str(&format!(
            "2026-11-1{n}T08:00:00+00:00\t113-000000{n}-0000000\tSKU-0{n}\tB00000000{n}\tX00{n}\t12\" pan\t1\tPHX7\tDEFECTIVE\t{reason}\tUnit returned to inventory\tLPN{n}\thandle \"wobbles\"\n"
        ));
    }
    dir.write("FBA Customer Returns_5.txt", fba);
    let report = audit_json(dir.path());
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "RET-NOT-AS-DESCRIBED")
        .expect("three defective returns are a warning");
    assert_eq!(finding["status"], "warning");
    assert_eq!(finding["points"], 0);
    assert_eq!(finding["evidence_total"], 3);
    assert!(
        finding["evidence"][0]["excerpt"]
            .as_str()
            .unwrap()
            .contains("wobbles")
    );
}

#[test]
fn an_english_feedback_report_with_an_extra_column_is_read_by_name() {
    let dir = Scratch::new("feedback-extra");
    dir.take("amazon-native-us", &["All Orders Report_12345.txt"]);
    let original =
        std::fs::read_to_string(fixture("amazon-native-us").join("Seller Feedback Report.txt"))
            .unwrap();
    // "Arrived on Time" inserted before the order id moves it to column 6.
    let moved: String = original
        .lines()
        .map(|line| {
            let mut cells: Vec<&str> = line.split('\t').collect();
            cells.insert(
                4,
                if cells[0] == "Date" {
                    "Arrived on Time"
                } else {
                    "Yes"
                },
            );
            cells.join("\t") + "\n"
        })
        .collect();
    dir.write("Seller Feedback Report.txt", moved);
    dir.write("account.toml", "marketplace = \"US\"\n");
    let report = audit_json(dir.path());
    let fb = input(&report, "Seller Feedback Report.txt");
    assert_eq!(fb["format"], "amazon-feedback");
    assert_eq!(fb["skipped"], 0, "{}", fb["problems"]);
    assert_eq!(report["metrics"]["order_defect_rate"]["numerator"], 2);
}

#[test]
fn a_claim_in_claims_csv_and_on_a_return_is_one_defect() {
    let dir = Scratch::new("claims-twice");
    dir.take(
        "amazon-native-us",
        &[
            "All Orders Report_12345.txt",
            "Seller Feedback Report.txt",
            "Returns Report_67890.txt",
            "account.toml",
        ],
    );
    let alone = audit_json(dir.path());
    let claimed =
        std::fs::read_to_string(fixture("amazon-native-us-twin").join("claims.csv")).unwrap();
    dir.write("claims.csv", &claimed);
    let both = audit_json(dir.path());
    assert_eq!(
        both["metrics"]["order_defect_rate"]["numerator"],
        alone["metrics"]["order_defect_rate"]["numerator"]
    );
    let evidence = both["findings"][0]["evidence"].to_string();
    assert!(evidence.contains("claims.csv"), "{evidence}");
    assert!(!evidence.contains("Returns Report_67890.txt"), "{evidence}");
}

#[test]
fn a_shipments_export_supplies_the_ship_dates_the_all_orders_report_lacks() {
    let report = audit_json(&fixture("amazon-native-de"));
    let shipments = input(&report, "shipments.csv");
    assert_eq!(shipments["kind"], "orders");
    assert_eq!(shipments["format"], "shipments");
    assert!(
        shipments["problems"]
            .to_string()
            .contains("fills in what All Orders Report_23456.txt lacks"),
        "{}",
        shipments["problems"]
    );
    for id in [
        "late_shipment_rate_30d",
        "valid_tracking_rate",
        "on_time_delivery_rate",
    ] {
        assert_ne!(report["metrics"][id]["status"], "insufficient_data", "{id}");
    }
    assert!(!report["notes"].to_string().contains("has no ship dates"));

    // Without orders to fill in, shipments alone count nothing.
    let dir = Scratch::new("shipments-alone");
    dir.take("amazon-native-de", &["shipments.csv"]);
    let alone = audit_json(dir.path());
    assert!(
        input(&alone, "shipments.csv")["problems"]
            .to_string()
            .contains("no orders file lists the orders")
    );
    assert_eq!(
        alone["metrics"]["order_defect_rate"]["status"],
        "insufficient_data"
    );
}

#[test]
fn a_late_shipment_download_with_order_dates_fills_in_ship_dates_too() {
    // Seller Central's late-shipment download lists each order's date
    // beside its expected and confirmed ship dates. It fills in the ship
    // dates the All Orders report lacks, as a shipments export does.
    let native = fixture("amazon-native-de");
    let dir = Scratch::new("late-shipment-download");
    dir.take(
        "amazon-native-de",
        &[
            "All Orders Report_23456.txt",
            "Seller Feedback Report.txt",
            "account.toml",
        ],
    );
    let shipments = std::fs::read_to_string(native.join("shipments.csv")).unwrap();
    let mut download =
        String::from("Order ID\tOrder Date\tExpected Ship Date\tShip Confirm Date\tCarrier\n");
    for line in shipments.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let (id, ship_by, shipped_at, carrier) = (cells[0], cells[1], cells[2], cells[3]);
        download.push_str(&format!(
            "{id}\t{ship_by}\t{ship_by}\t{shipped_at}\t{carrier}\n"
        ));
    }
    dir.write("Late Shipment Orders.txt", download);
    let report = audit_json(dir.path());
    let input = input(&report, "Late Shipment Orders.txt");
    assert_eq!(input["format"], "shipments", "{input}");
    let with_shipments = audit_json(&native);
    for id in ["late_shipment_rate_10d", "late_shipment_rate_30d"] {
        let numbers = |r: &Value| {
            let m = &r["metrics"][id];
            (m["numerator"].clone(), m["denominator"].clone())
        };
        assert_eq!(numbers(&report), numbers(&with_shipments), "{id}");
        assert_ne!(report["metrics"][id]["status"], "insufficient_data", "{id}");
    }
}

#[test]
fn amazons_own_example_report_is_compared_where_the_exports_reach() {
    let dir = Scratch::new("amazon-example");
    dir.take("amazon-native-us", &["All Orders Report_12345.txt"]);
    dir.copy(
        &fixture("amazon").join("performance-example.json"),
        "performance.json",
    );
    dir.write("account.toml", "marketplace = \"US\"\n");
    let report = audit_json(dir.path());
    let amazon = &report["amazon"];
    // Amazon's example lists AT_RISK, NORMAL and SUSPENDED marketplaces.
    assert_eq!(amazon["account_status"], "SUSPENDED");
    let us = &amazon["marketplaces"][0];
    assert_eq!(us["compared"], true);
    let odr = us["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "order_defect_rate_mfn")
        .unwrap();
    // Its 2020 windows hold none of the 2026 orders: the counts disagree and say why.
    assert_eq!(odr["differs"], true);
    assert_eq!(odr["ahr"]["denominator"], 0);
    assert!(
        odr["reason"].as_str().unwrap().contains("2020-09-06"),
        "{odr}"
    );
    let invoice = us["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "invoice_defect_rate")
        .unwrap();
    assert_eq!(invoice["ahr"], Value::Null);
    assert_eq!(invoice["differs"], Value::Null);

    // A DE account compares nothing against a US-only report.
    dir.write("account.toml", "marketplace = \"DE\"\n");
    let de = audit_json(dir.path());
    assert_eq!(de["amazon"]["marketplaces"][0]["compared"], false);
    assert_eq!(de["amazon"]["differing"], 0);
}

#[test]
fn a_performance_report_under_its_download_name_and_a_bom_are_read() {
    let dir = Scratch::new("download-names");
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(
        std::fs::read(fixture("amazon-native-us").join("All Orders Report_12345.txt")).unwrap(),
    );
    dir.write("All Orders Report_12345.txt", bytes);
    dir.copy(
        &fixture("amazon-native-us").join("performance.json"),
        "GET_V2_SELLER_PERFORMANCE_REPORT_50123.json",
    );
    dir.write("notes.json", "{\"todo\": \"call the bank\"}\n");
    dir.write("account.toml", "marketplace = \"US\"\n");
    let report = audit_json(dir.path());
    let orders = input(&report, "All Orders Report_12345.txt");
    assert_eq!(orders["format"], "amazon-all-orders");
    assert_eq!(orders["encoding"], "utf-8-bom");
    let perf = input(&report, "GET_V2_SELLER_PERFORMANCE_REPORT_50123.json");
    assert_eq!(perf["kind"], "performance");
    assert_eq!(
        report["amazon"]["file"],
        "GET_V2_SELLER_PERFORMANCE_REPORT_50123.json"
    );
    assert_eq!(report["ignored"], serde_json::json!(["notes.json"]));
}

#[test]
fn ahrs_own_files_stay_canonical() {
    for folder in [
        "healthy",
        "odr-breach",
        "late-shipment",
        "amazon-native-us-twin",
    ] {
        let report = audit_json(&fixture(folder));
        for i in report["inputs"].as_array().unwrap() {
            assert_eq!(i["format"], "canonical", "{folder}: {}", i["file"]);
        }
        assert!(report.get("amazon").is_none() && report.get("assurance").is_none());
    }
}
