//! The report: one value that every renderer reads. Its JSON form is a wire
//! format (`schema_version` 1): fields may be added, never renamed or
//! removed without raising the version.

pub mod diff;
pub mod escape;
pub mod github;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;

use crate::findings::{Appeal, Finding, Severity};
use crate::input::table::InputReport;
use crate::metrics::MetricResult;
use crate::score::Score;
use chrono::NaiveDate;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    /// Every enabled rule and how it came out, so JUnit and SARIF can list
    /// the rules that passed; `ahr render` has only the report to go by.
    #[serde(default)]
    pub rules: Vec<RuleOutcome>,
    /// Findings a waiver set aside: not in `findings`, not in the score,
    /// not in the gate. Each carries the waiver that matched it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waived: Vec<WaivedFinding>,
    /// The waiver file and the waivers that did not apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waivers: Option<WaiverSummary>,
    /// Set with `--baseline`: `findings` then holds only what is new.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineInfo>,
    /// Amazon's own AHR by day (health_history export), for the trend chart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health_history: Vec<HealthPoint>,
    /// The account folder as given on the command line, so SARIF results and
    /// GitHub annotations can point at the export files in the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Amazon's performance.json beside ahr's own counts; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amazon: Option<crate::amazon::AmazonNumbers>,
    /// Account Health Assurance; absent without a health_history file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assurance: Option<crate::assurance::Assurance>,
    /// Causes of suspension no export shows, for the seller to confirm.
    #[serde(default)]
    pub checklist: Vec<crate::policy::guidance::ChecklistItem>,
    /// The peak-season outlook, when asked for with `--peak-multiplier`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<crate::forecast::Forecast>,
    /// The exit gate, when asked for with `--fail-under` or `--fail-on`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate: Option<crate::gate::Gate>,
}

/// How one enabled rule came out of the audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    Passed,
    Warning,
    Breach,
    Waived,
    /// Fired, but the finding was already in the `--baseline` report.
    Baseline,
    /// Not judged: the metric it reads has no data (too few orders, a
    /// column the exports lack), so it neither passed nor failed.
    NoData,
}

impl RuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Passed => "passed",
            RuleStatus::Warning => "warning",
            RuleStatus::Breach => "breach",
            RuleStatus::Waived => "waived",
            RuleStatus::Baseline => "baseline",
            RuleStatus::NoData => "no_data",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleOutcome {
    pub id: String,
    pub title: String,
    pub category: String,
    /// The rule's default severity (a finding may raise or lower it).
    pub severity: Severity,
    pub appeal: Appeal,
    pub status: RuleStatus,
    /// With status `no_data`: why its metric has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_data: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remediation: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// The title and remediation in other languages, keyed by language tag
    /// (`zh-CN`), so `ahr render --lang` needs only the report.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub translations: std::collections::BTreeMap<String, crate::i18n::RuleText>,
}

/// A waiver as written in the waiver file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverInfo {
    pub rule: String,
    /// Evidence keys (ASIN, order id, message id) or `file:line` places;
    /// empty: the whole rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<String>,
    pub reason: String,
    pub owner: String,
    pub expires: NaiveDate,
    /// `file:line` of the waiver in its file.
    pub defined_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaivedFinding {
    #[serde(flatten)]
    pub finding: Finding,
    pub waiver: WaiverInfo,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WaiverSummary {
    pub file: String,
    /// How many waivers the file holds.
    pub total: usize,
    /// Waivers past their expiry date: they no longer apply.
    pub expired: Vec<WaiverInfo>,
    /// Waivers that matched no finding: stale, or scoped wrongly.
    pub unmatched: Vec<WaiverInfo>,
    /// Waivers whose scope covered only part of a finding's evidence, so
    /// the finding still counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partial: Vec<WaiverInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineInfo {
    pub file: String,
    pub as_of: NaiveDate,
    pub score: i64,
    /// Rules whose findings were already in the baseline and are left out.
    pub known: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthPoint {
    pub date: NaiveDate,
    pub ahr: u16,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    pub fn current() -> Tool {
        Tool {
            name: "ahr".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// Keeps the document's metric order (a JSON object read into a map
/// would sort it).
impl<'de> Deserialize<'de> for Metrics {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Metrics;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of metric results keyed by metric id")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Metrics, A::Error> {
                let mut out = Vec::new();
                while let Some((id, result)) = map.next_entry::<String, MetricResult>()? {
                    out.push((id, result));
                }
                Ok(Metrics(out))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// Reads a saved JSON report back (`ahr render`, `ahr diff`, `--baseline`).
pub fn load(path: &std::path::Path) -> anyhow::Result<Report> {
    use anyhow::Context as _;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read report {}: check the path", path.display()))?;
    let report: Report = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not an ahr JSON report: write one with `ahr audit DIR --format json -o FILE`",
            path.display()
        )
    })?;
    if report.schema_version > SCHEMA_VERSION {
        anyhow::bail!(
            "{} has schema_version {}; this ahr reads up to {SCHEMA_VERSION}: upgrade ahr",
            path.display(),
            report.schema_version
        );
    }
    Ok(report)
}

impl Report {
    /// An export file's path as the user sees it: joined to the account
    /// folder when the report knows it, with forward slashes.
    pub fn path_of(&self, file: &str) -> String {
        let dir = self.source.as_deref().unwrap_or("").replace('\\', "/");
        let mut dir = dir.trim_end_matches('/');
        // `./exports` and `exports` name the same place in a repository.
        while let Some(rest) = dir.strip_prefix("./") {
            dir = rest.trim_start_matches('/');
        }
        if dir.is_empty() || dir == "." {
            file.to_string()
        } else {
            format!("{dir}/{file}")
        }
    }

    /// The worst severity among breached findings.
    pub fn worst_breach(&self) -> Option<&Finding> {
        self.findings
            .iter()
            .filter(|f| f.status == crate::findings::FindingStatus::Breach)
            .max_by_key(|f| f.severity)
    }
}
