//! `ahr batch-merge`: joins the outputs of `ahr batch --shard K/N` runs into
//! one batch document. Every shard already compared its accounts with the
//! identifiers of the whole ROOT (the first pass reads every account's
//! identifiers, whatever the shard), so the shards' `links` agree and merging
//! is a union: accounts sorted by id, links and errors deduplicated.
//! Reads both `--format json` documents and `--format jsonl` streams.

use super::{AccountError, SummaryRow};
use crate::findings::{FindingStatus, Severity};
use crate::linkage::{self, Link};
use anyhow::{Context, Result, bail};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A JSON value that keeps its object keys in the order they were read, so
/// a merged report comes out byte-identical to the shard's (serde_json's
/// own `Value` sorts keys).
#[derive(Clone, Debug, PartialEq)]
pub enum Ordered {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Ordered {
    pub fn get(&self, key: &str) -> Option<&Ordered> {
        match self {
            Ordered::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Ordered::String(s) => Some(s),
            _ => None,
        }
    }

    fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Serialize for Ordered {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Ordered::Null => serializer.serialize_unit(),
            Ordered::Bool(b) => serializer.serialize_bool(*b),
            Ordered::Number(n) => n.serialize(serializer),
            Ordered::String(s) => serializer.serialize_str(s),
            Ordered::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Ordered::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Ordered, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_none<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Ordered, E> {
                Ok(Ordered::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Ordered, E> {
                Ok(Ordered::Number(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Ordered, E> {
                Ok(Ordered::Number(n.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Ordered, E> {
                serde_json::Number::from_f64(n)
                    .map(Ordered::Number)
                    .ok_or_else(|| E::custom("a number JSON cannot hold"))
            }
            fn visit_str<E>(self, s: &str) -> Result<Ordered, E> {
                Ok(Ordered::String(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<Ordered, E> {
                Ok(Ordered::String(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Ordered::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Ordered>()? {
                    entries.push((k, v));
                }
                Ok(Ordered::Object(entries))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// The union of several batch outputs.
#[derive(Debug, Default)]
pub struct Merged {
    /// Per-account reports as read, by account id.
    pub accounts: BTreeMap<String, Ordered>,
    pub links: BTreeSet<Link>,
    pub errors: BTreeSet<AccountError>,
    pub ignored: BTreeSet<String>,
}

impl Merged {
    /// Adds one batch output file.
    pub fn add_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}: check the path", path.display()))?;
        let name = path.display().to_string();
        match serde_json::from_str::<Ordered>(&text) {
            Ok(Ordered::Object(mut doc)) if doc.iter().any(|(k, _)| k == "accounts") => {
                let mut part = |key: &str| match doc.iter().position(|(k, _)| k == key) {
                    Some(at) => doc.swap_remove(at).1,
                    None => Ordered::Array(Vec::new()),
                };
                let Ordered::Array(accounts) = part("accounts") else {
                    bail!(
                        "{name}: `accounts` is not a list: is this the output of `ahr batch --format json`?"
                    );
                };
                let end = [part("links"), part("errors"), part("ignored")].map(|p| p.to_value());
                for (i, account) in accounts.into_iter().enumerate() {
                    self.add_account(account, &format!("{name}: account {}", i + 1))?;
                }
                self.add_end(&end[0], &end[1], &end[2], &name)?;
            }
            _ => {
                for (i, line) in text.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let at = format!("{name}:{}", i + 1);
                    let value: Ordered = serde_json::from_str(line).map_err(|e| {
                        anyhow::anyhow!(
                            "{at}: not JSON ({e}); batch-merge reads the output of `ahr batch --format json` or `--format jsonl`"
                        )
                    })?;
                    if value.get("schema_version").is_some() {
                        self.add_account(value, &at)?;
                    } else if let Some(error) = value.get("error") {
                        let error: AccountError = serde_json::from_value(error.to_value())
                            .with_context(|| format!("{at}: not an account error"))?;
                        self.errors.insert(error);
                    } else if value.get("links").is_some() {
                        let get = |k: &str| {
                            value
                                .get(k)
                                .map_or(Value::Array(Vec::new()), Ordered::to_value)
                        };
                        self.add_end(&get("links"), &get("errors"), &get("ignored"), &at)?;
                    } else {
                        bail!(
                            "{at}: neither an account report, an error nor the closing links line"
                        );
                    }
                }
            }
        }
        Ok(())
    }

    fn add_account(&mut self, report: Ordered, at: &str) -> Result<()> {
        let Some(id) = report
            .get("account")
            .and_then(|a| a.get("id"))
            .and_then(Ordered::as_str)
            .map(str::to_string)
        else {
            bail!("{at}: a report without `account.id`");
        };
        if self.accounts.insert(id.clone(), report).is_some() {
            bail!(
                "{at}: account `{id}` is in two of the outputs: were they made with the same --shard, or from different batches?"
            );
        }
        Ok(())
    }

    fn add_end(&mut self, links: &Value, errors: &Value, ignored: &Value, at: &str) -> Result<()> {
        let links: Vec<Link> = serde_json::from_value(links.clone())
            .with_context(|| format!("{at}: `links` is not a list of linked accounts"))?;
        let errors: Vec<AccountError> = serde_json::from_value(errors.clone())
            .with_context(|| format!("{at}: `errors` is not a list of account errors"))?;
        let ignored: Vec<String> = serde_json::from_value(ignored.clone()).unwrap_or_default();
        self.links.extend(links);
        self.errors.extend(errors);
        self.ignored.extend(ignored);
        Ok(())
    }

    /// Summary rows sorted by risk.
    pub fn rows(&self) -> Vec<SummaryRow> {
        let links: Vec<Link> = self.links.iter().cloned().collect();
        let linked = linkage::linked_with(&links);
        let mut rows: Vec<SummaryRow> = self
            .accounts
            .iter()
            .map(|(id, report)| row_from_json(id, &summary_part(report), &linked))
            .collect();
        super::sort_by_risk(&mut rows);
        rows
    }
}

/// The parts of a report the summary reads, as a plain JSON value.
fn summary_part(report: &Ordered) -> Value {
    let mut part = serde_json::Map::new();
    for key in ["score", "findings"] {
        if let Some(v) = report.get(key) {
            part.insert(key.to_string(), v.to_value());
        }
    }
    Value::Object(part)
}

fn row_from_json(
    id: &str,
    report: &Value,
    linked: &BTreeMap<String, BTreeSet<String>>,
) -> SummaryRow {
    let findings = report
        .get("findings")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let worst = findings
        .iter()
        .filter(|f| f.get("status").and_then(Value::as_str) == Some(FindingStatus::Breach.as_str()))
        .filter_map(|f| {
            let severity: Severity = f.get("severity")?.as_str()?.parse().ok()?;
            Some((severity, f.get("rule")?.as_str()?))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)))
        .map(|(severity, rule)| format!("{rule} ({severity})"));
    SummaryRow {
        account: id.to_string(),
        score: report
            .pointer("/score/value")
            .and_then(Value::as_i64)
            .unwrap_or_default(),
        band: report
            .pointer("/score/band")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        worst,
        findings: findings.len(),
        linked_with: linked
            .get(id)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use tempfile::TempDir;

    /// Writes `text` to a file named `name` in a fresh temp folder; the
    /// folder is removed when the returned `TempDir` is dropped.
    fn temp_file(name: &str, text: &str) -> (TempDir, PathBuf) {
        let dir = tempfile::Builder::new()
            .prefix("ahr-merge-")
            .tempdir()
            .unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn ordered_values_keep_key_order_and_numbers() {
        let text = r#"{"z":1,"a":{"y":0.0037,"b":[true,null,"x"]},"m":-2}"#;
        let value: Ordered = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), text);
    }

    #[test]
    fn reads_json_lines_with_reports_errors_and_links() {
        let (_dir, path) = temp_file(
            "part.jsonl",
            "{\"schema_version\":1,\"account\":{\"id\":\"b\"},\"score\":{\"value\":50,\"band\":\"critical\"},\
             \"findings\":[{\"rule\":\"LINK-SHARED\",\"severity\":\"high\",\"status\":\"breach\"},\
             {\"rule\":\"PERF-OTDR\",\"severity\":\"low\",\"status\":\"breach\"}]}\n\
             {\"error\":{\"folder\":\"x\",\"error\":\"bad\"}}\n\
             {\"schema_version\":1,\"account\":{\"id\":\"a\"},\"score\":{\"value\":208,\"band\":\"healthy\"},\"findings\":[]}\n\
             {\"links\":[{\"accounts\":[\"a\",\"b\"],\"identifiers\":[{\"kind\":\"phone\",\"value\":\"phone …0199\"}]}],\
             \"errors\":[{\"folder\":\"x\",\"error\":\"bad\"}],\"ignored\":[]}\n",
        );
        let mut merged = Merged::default();
        merged.add_file(&path).unwrap();
        assert_eq!(merged.accounts.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(
            merged.errors.len(),
            1,
            "the error line and the last line agree"
        );
        let rows = merged.rows();
        assert_eq!(rows[0].account, "b");
        assert_eq!(rows[0].worst.as_deref(), Some("LINK-SHARED (high)"));
        assert_eq!(rows[0].linked_with, ["a"]);
        assert_eq!(rows[1].worst, None);
    }

    #[test]
    fn rejects_what_is_not_a_batch_output() {
        let (_dir, path) = temp_file("bad.jsonl", "{\"hello\":1}\n");
        let err = Merged::default().add_file(&path).unwrap_err().to_string();
        assert!(err.contains("bad.jsonl:1"), "{err}");
        let (_dir, path) = temp_file("text.txt", "not json\n");
        let err = Merged::default().add_file(&path).unwrap_err().to_string();
        assert!(err.contains("not JSON"), "{err}");
    }
}
