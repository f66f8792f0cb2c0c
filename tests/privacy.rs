//! Personal data planted in every export never reaches a report unless the
//! user passes --no-mask, whatever the format, and wherever the text ends up
//! (evidence excerpts, finding messages, the inputs section).

use std::fs;
use std::path::Path;
use std::process::Command;

const EMAIL: &str = "jane.doe@example.com";
const PHONE: &str = "+1 555-010-0199";

fn account(dir: &Path) {
    let write = |name: &str, text: String| fs::write(dir.join(name), text).unwrap();
    let mut orders = String::from(
        "order_id,purchase_date,status,fulfillment,ship_by,shipped_at,tracking_id,buyer_id,buyer-name,ship-address-1,ship_city,ship_postal_code\n",
    );
    for i in 0..30 {
        orders.push_str(&format!(
            "113-{:07}-1234567,2026-11-{:02},Shipped,MFN,2026-11-{:02},2026-11-{:02},1Z{i},{EMAIL},Jane Doe,12 Elm Street,Springfield,90210\n",
            1_000_000 + i,
            1 + i % 15,
            2 + i % 15,
            5 + i % 15,
        ));
    }
    write("orders.csv", orders);
    write(
        "messages.csv",
        format!(
            "sent_at,body,order_id\n2026-11-10,\"Hi Jane, write to {EMAIL} or call {PHONE}: please leave a 5-star review!\",113-1000001-1234567\n"
        ),
    );
    write(
        "feedback.csv",
        format!(
            "date,rating,comments,order_id\n2026-11-12,1,\"Seller never answered {EMAIL} or {PHONE}\",113-1000002-1234567\n{EMAIL},1,bad row,113-1000003-1234567\n"
        ),
    );
    write(
        "claims.csv",
        format!(
            "order_id,filed_at,status,reason\n113-1000004-1234567,2026-11-13,open,\"buyer {EMAIL} says not received\"\n"
        ),
    );
    write(
        "complaints.csv",
        format!(
            "received_at,kind,status,asin,complainant\n2026-11-14,counterfeit,open,B000000001,{EMAIL}\n"
        ),
    );
    write(
        "identifiers.csv",
        "kind,value\nbank,DE89 3704 0044 0532 0130 00\nemail,owner@shop.example\n".to_string(),
    );
}

fn run(dir: &Path, format: &str, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ahr"))
        .arg("audit")
        .arg(dir)
        .args(["--as-of", "2026-11-20", "--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap()
    )
}

#[test]
fn personal_data_is_masked_in_every_format_by_default() {
    let dir = tempfile::tempdir().unwrap();
    account(dir.path());
    for format in ["json", "table"] {
        let text = run(dir.path(), format, &[]);
        // The audit found what the planted rows hold, so the masking is
        // tested on text that reached the report.
        assert!(text.contains("REV-POSITIVE"), "{format}: {text}");
        assert!(text.contains("IP-COUNTERFEIT"), "{format}: {text}");
        for secret in [
            "jane.doe",
            "555-010-0199",
            "010-0199",
            "Jane Doe",
            "12 Elm Street",
            "Springfield",
            "90210",
            "DE89",
            "owner@shop",
        ] {
            assert!(!text.contains(secret), "{format} shows `{secret}`:\n{text}");
        }
        assert!(text.contains("***@example.com"), "{format}: {text}");
    }
}

#[test]
fn no_mask_shows_what_the_exports_say() {
    let dir = tempfile::tempdir().unwrap();
    account(dir.path());
    let text = run(dir.path(), "json", &["--no-mask"]);
    assert!(text.contains(EMAIL), "{text}");
    assert!(text.contains("555-010-0199"), "{text}");
}
