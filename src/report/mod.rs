//! The report: one value that every renderer reads. Its JSON form is a wire
//! format (`schema_version` 1): fields may be added, never renamed or
//! removed without raising the version.

pub mod json;
pub mod table;

use crate::findings::Finding;
use crate::input::table::InputReport;
use crate::metrics::MetricResult;
use crate::score::Score;
use chrono::NaiveDate;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub account: AccountInfo,
    pub as_of: NaiveDate,
    /// Where as-of came from: `--as-of`, the orders file, or today.
    pub as_of_source: String,
    pub score: Score,
    pub metrics: Metrics,
    pub findings: Vec<Finding>,
    pub inputs: Vec<InputReport>,
    /// Files in the account folder that ahr does not read.
    pub ignored: Vec<String>,
    /// What the reader should know about how the numbers were made.
    pub notes: Vec<String>,
    /// Causes of suspension no export shows, for the seller to confirm.
    pub checklist: Vec<crate::policy::guidance::ChecklistItem>,
    /// The peak-season outlook, when asked for with `--peak-multiplier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<crate::forecast::Forecast>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn current() -> Tool {
        Tool {
            name: "ahr",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AccountInfo {
    pub id: String,
    pub name: Option<String>,
    pub marketplace: Option<String>,
}

/// Metric results in a fixed order (the order of the metric table), written
/// as a JSON object keyed by metric id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics(pub Vec<(String, MetricResult)>);

impl Metrics {
    pub fn get(&self, id: &str) -> Option<&MetricResult> {
        self.0.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }
}

impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, result) in &self.0 {
            map.serialize_entry(id, result)?;
        }
        map.end()
    }
}

impl Report {
    /// The worst severity among breached findings.
    pub fn worst_breach(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.status == crate::findings::FindingStatus::Breach)
            .max_by_key(|f| f.severity)
    }
}
