//! The score model's numbers, read from the `[scoring]` table of the
//! policies (`policies/scoring.toml` by default). No number lives in code.

use super::diagnostics::{Diagnostics, Loc};
use super::params::Params;
use super::tree::{Table, Value};
use crate::exact::Decimal;
use crate::findings::Severity;

#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub name: String,
    /// Lowest score in the band.
    pub min: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ScoringModel {
    pub start: i64,
    pub min: i64,
    pub max: i64,
    /// A critical breach caps the score here.
    pub critical_cap: i64,
    pub volume_points: i64,
    pub volume_per_orders: u64,
    pub volume_window_days: u32,
    pub severity_points: SeverityPoints,
    pub repeat_step: Decimal,
    pub repeat_max: Decimal,
    /// Highest band first.
    pub bands: Vec<Band>,
    /// Account Health Assurance's bar (`[scoring.assurance]`, optional).
    pub assurance: crate::assurance::AssuranceBar,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeverityPoints {
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
}

impl SeverityPoints {
    pub fn of(&self, severity: Severity) -> i64 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }
}

impl ScoringModel {
    /// The band a score falls in.
    pub fn band(&self, score: i64) -> &str {
        self.bands
            .iter()
            .find(|b| score >= b.min)
            .or(self.bands.last())
            .map_or("unknown", |b| b.name.as_str())
    }
}

const KEYS: &[&str] = &[
    "start",
    "min",
    "max",
    "critical_cap",
    "volume",
    "severity_points",
    "repeat",
    "band",
    "assurance",
];

/// Reads the merged `[scoring]` table.
pub fn parse(table: Table, loc: Loc, diags: &mut Diagnostics) -> Option<ScoringModel> {
    let mut p = Params::new(table, "`[scoring]`".into(), loc, diags);
    let start = p.int("start", 0, 1000, "200");
    let min = p.int("min", 0, 1000, "0");
    let max = p.int("max", 0, 1000, "1000");
    let critical_cap = p.int("critical_cap", 0, 1000, "99");
    let volume = sub_table(&mut p, "volume");
    let severity = sub_table(&mut p, "severity_points");
    let repeat = sub_table(&mut p, "repeat");
    let bands = bands(&mut p);
    let assurance_table = p.opt_table("assurance");
    p.finish(KEYS);
    let assurance = assurance_bar(assurance_table, diags);

    let (volume_table, volume_loc) = volume?;
    let mut v = Params::new(volume_table, "`[scoring.volume]`".into(), volume_loc, diags);
    let volume_points = v.int("points", 0, 1000, "4");
    let volume_per_orders = v.int("per_orders", 1, i64::MAX, "200");
    let volume_window_days = v.int("window_days", 1, 3650, "180");
    v.finish(&["points", "per_orders", "window_days"]);

    let (sev_table, sev_loc) = severity?;
    let mut s = Params::new(
        sev_table,
        "`[scoring.severity_points]`".into(),
        sev_loc,
        diags,
    );
    let critical = s.int("critical", 0, 1000, "250");
    let high = s.int("high", 0, 1000, "100");
    let medium = s.int("medium", 0, 1000, "40");
    let low = s.int("low", 0, 1000, "10");
    s.finish(&["critical", "high", "medium", "low"]);

    let (repeat_table, repeat_loc) = repeat?;
    let mut r = Params::new(repeat_table, "`[scoring.repeat]`".into(), repeat_loc, diags);
    let repeat_step = r.decimal("step", 0.0, 100.0, "0.5").map(|(d, _)| d);
    let repeat_max = r.decimal("max_multiplier", 1.0, 100.0, "3").map(|(d, _)| d);
    r.finish(&["step", "max_multiplier"]);

    let (min, max) = (min?, max?);
    if min > max {
        diags.error(loc, format!("`[scoring]` min ({min}) is above max ({max})"));
        return None;
    }
    Some(ScoringModel {
        start: start?,
        min,
        max,
        critical_cap: critical_cap?,
        volume_points: volume_points?,
        volume_per_orders: volume_per_orders? as u64,
        volume_window_days: volume_window_days? as u32,
        severity_points: SeverityPoints {
            critical: critical?,
            high: high?,
            medium: medium?,
            low: low?,
        },
        repeat_step: repeat_step?,
        repeat_max: repeat_max?,
        bands: bands?,
        assurance: assurance?,
    })
}

/// Reads `[scoring.assurance]`; every key is optional, the program's
/// published terms are the defaults.
fn assurance_bar(
    table: Option<(Table, Loc)>,
    diags: &mut Diagnostics,
) -> Option<crate::assurance::AssuranceBar> {
    let mut bar = crate::assurance::AssuranceBar::default();
    let Some((table, loc)) = table else {
        return Some(bar);
    };
    let mut a = Params::new(table, "`[scoring.assurance]`".into(), loc, diags);
    if let Some(v) = a.opt_int("min_ahr", 0, 1000) {
        bar.min_ahr = v as u16;
    }
    if let Some(v) = a.opt_int("months", 1, 120) {
        bar.months = v as u32;
    }
    if let Some(v) = a.opt_int("max_days_below", 0, 3660) {
        bar.max_days_below = v as u32;
    }
    if let Some(list) = a.opt_str_list("marketplaces") {
        bar.marketplaces = list
            .into_iter()
            .map(|(m, _)| m.trim().to_ascii_uppercase())
            .collect();
    }
    let failed = a.failed();
    a.finish(&["min_ahr", "months", "max_days_below", "marketplaces"]);
    (!failed).then_some(bar)
}

fn sub_table(p: &mut Params<'_>, key: &str) -> Option<(Table, Loc)> {
    if !p.contains(key) {
        let owner_loc = p.owner_loc;
        p.diags.error_with_help(
            owner_loc,
            format!("`[scoring]` has no `[scoring.{key}]` table"),
            "start from the default policies/scoring.toml",
        );
        return None;
    }
    p.opt_table(key)
}

fn bands(p: &mut Params<'_>) -> Option<Vec<Band>> {
    let Some(entry) = p.take("band") else {
        let owner_loc = p.owner_loc;
        p.diags
            .error(owner_loc, "`[scoring]` has no `[[scoring.band]]` entries");
        return None;
    };
    let Value::Array(items) = entry.node.value else {
        p.diags.error(
            entry.node.loc,
            "`band` must be an array of `[[scoring.band]]` tables",
        );
        return None;
    };
    let mut bands = Vec::new();
    for item in items {
        let Value::Table(table) = item.value else {
            p.diags
                .error(item.loc, "each `[[scoring.band]]` must be a table");
            continue;
        };
        let mut b = Params::new(table, "`[[scoring.band]]`".into(), item.loc, p.diags);
        let name = b.str("name", "\"healthy\"");
        let min = b.int("min", 0, 1000, "200");
        b.finish(&["name", "min"]);
        if let (Some((name, _)), Some(min)) = (name, min) {
            bands.push(Band { name, min });
        }
    }
    if bands.is_empty() {
        return None;
    }
    bands.sort_by_key(|b| std::cmp::Reverse(b.min));
    Some(bands)
}
