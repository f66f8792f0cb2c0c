//! `--format json`: the report as one JSON document, pretty-printed and
//! byte-identical for the same inputs, policies and as-of.

use super::Report;

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("a report always serialises");
    text.push('\n');
    text
}
