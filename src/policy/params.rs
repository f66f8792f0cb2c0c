//! Typed reads of a policy table's keys. Each read that fails records a
//! located problem and returns `None`, so one pass finds every problem; keys
//! nobody read are reported as unknown, with the nearest known key.

use super::diagnostics::{Diagnostics, Loc, did_you_mean};
use super::pattern::Pattern;
use super::tree::{Entry, Node, Table, Value};
use crate::exact::Decimal;

/// Compiled patterns may take this much memory; a policy cannot make the
/// tool allocate without bound.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

pub struct Params<'d> {
    table: Table,
    /// Who owns these keys, for messages: "rule `PERF-ODR`".
    pub owner: String,
    pub owner_loc: Loc,
    pub diags: &'d mut Diagnostics,
    errors_before: usize,
}

impl<'d> Params<'d> {
    pub fn new(table: Table, owner: String, owner_loc: Loc, diags: &'d mut Diagnostics) -> Self {
        let errors_before = diags.problems.len();
        Params {
            table,
            owner,
            owner_loc,
            diags,
            errors_before,
        }
    }

    /// True when a read through this reader has recorded a problem.
    pub fn failed(&self) -> bool {
        self.diags.problems.len() > self.errors_before
    }

    pub fn contains(&self, key: &str) -> bool {
        self.table.get(key).is_some()
    }

    pub fn take(&mut self, key: &str) -> Option<Entry> {
        self.table.remove(key)
    }

    fn type_error(&mut self, key: &str, node: &Node, expected: &str) {
        let message = format!(
            "`{key}` in {} must be {expected}, found {}",
            self.owner,
            node.value.type_name()
        );
        self.diags.error(node.loc, message);
    }

    fn missing(&mut self, key: &str, example: &str) {
        let message = format!("{} has no `{key}`", self.owner);
        self.diags
            .error_with_help(self.owner_loc, message, format!("add `{key} = {example}`"));
    }

    pub fn opt_str(&mut self, key: &str) -> Option<(String, Loc)> {
        let entry = self.take(key)?;
        match entry.node.value {
            Value::Str(s) => Some((s, entry.node.loc)),
            _ => {
                self.type_error(key, &entry.node, "a string");
                None
            }
        }
    }

    pub fn str(&mut self, key: &str, example: &str) -> Option<(String, Loc)> {
        if !self.contains(key) {
            self.missing(key, example);
            return None;
        }
        self.opt_str(key)
    }

    pub fn opt_bool(&mut self, key: &str) -> Option<bool> {
        let entry = self.take(key)?;
        match entry.node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.type_error(key, &entry.node, "true or false");
                None
            }
        }
    }

    /// An integer within `min..=max`.
    pub fn opt_int(&mut self, key: &str, min: i64, max: i64) -> Option<i64> {
        let entry = self.take(key)?;
        match entry.node.value {
            Value::Int(i) if (min..=max).contains(&i) => Some(i),
            Value::Int(i) => {
                let message = format!(
                    "`{key}` in {} is {i}; it must be from {min} to {max}",
                    self.owner
                );
                self.diags.error(entry.node.loc, message);
                None
            }
            _ => {
                self.type_error(key, &entry.node, "an integer");
                None
            }
        }
    }

    pub fn int(&mut self, key: &str, min: i64, max: i64, example: &str) -> Option<i64> {
        if !self.contains(key) {
            self.missing(key, example);
            return None;
        }
        self.opt_int(key, min, max)
    }

    /// A number (integer or float) within `min..=max`, kept exact.
    pub fn opt_decimal(&mut self, key: &str, min: f64, max: f64) -> Option<(Decimal, Loc)> {
        let entry = self.take(key)?;
        let loc = entry.node.loc;
        let number = match entry.node.value {
            Value::Float(f) => f,
            Value::Int(i) => i as f64,
            _ => {
                self.type_error(key, &entry.node, "a number");
                return None;
            }
        };
        if !(min..=max).contains(&number) {
            let message = format!(
                "`{key}` in {} is {number}; it must be from {min} to {max}",
                self.owner
            );
            let help = if max <= 1.0 && number > 1.0 {
                Some(format!(
                    "rates are fractions: write {} for {number}%",
                    number / 100.0
                ))
            } else {
                None
            };
            match help {
                Some(help) => self.diags.error_with_help(loc, message, help),
                None => self.diags.error(loc, message),
            }
            return None;
        }
        match Decimal::from_f64(number) {
            Some(d) => Some((d, loc)),
            None => {
                let message = format!(
                    "`{key}` in {} has more decimal places than ahr keeps (12)",
                    self.owner
                );
                self.diags.error(loc, message);
                None
            }
        }
    }

    pub fn decimal(
        &mut self,
        key: &str,
        min: f64,
        max: f64,
        example: &str,
    ) -> Option<(Decimal, Loc)> {
        if !self.contains(key) {
            self.missing(key, example);
            return None;
        }
        self.opt_decimal(key, min, max)
    }

    pub fn opt_str_list(&mut self, key: &str) -> Option<Vec<(String, Loc)>> {
        let entry = self.take(key)?;
        let loc = entry.node.loc;
        let items = match entry.node.value {
            Value::Array(items) => items,
            // A single string where a list is expected is what the user meant.
            Value::Str(s) => return Some(vec![(s, loc)]),
            _ => {
                self.type_error(key, &entry.node, "an array of strings");
                return None;
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item.value {
                Value::Str(s) => out.push((s, item.loc)),
                _ => {
                    let message = format!(
                        "every item of `{key}` in {} must be a string, found {}",
                        self.owner,
                        item.value.type_name()
                    );
                    self.diags.error(item.loc, message);
                }
            }
        }
        Some(out)
    }

    /// One of `choices`, with a suggestion when the value is near one.
    pub fn opt_choice(&mut self, key: &str, choices: &[&'static str]) -> Option<&'static str> {
        let (value, loc) = self.opt_str(key)?;
        if let Some(choice) = choices.iter().find(|c| c.eq_ignore_ascii_case(&value)) {
            return Some(choice);
        }
        let message = format!(
            "`{key}` in {} is `{value}`; expected one of {}",
            self.owner,
            choices.join(", ")
        );
        match did_you_mean(&value, choices.iter().copied()) {
            Some(near) => {
                self.diags
                    .error_with_help(loc, message, format!("did you mean `{near}`?"))
            }
            None => self.diags.error(loc, message),
        }
        None
    }

    pub fn choice(&mut self, key: &str, choices: &[&'static str]) -> Option<&'static str> {
        if !self.contains(key) {
            let example = format!("\"{}\"", choices.first().copied().unwrap_or(""));
            self.missing(key, &example);
            return None;
        }
        self.opt_choice(key, choices)
    }

    /// A list of regular expressions, each compiled on the linear-time
    /// engine; every bad pattern is reported.
    pub fn opt_regex_list(&mut self, key: &str) -> Option<Vec<Pattern>> {
        let patterns = self.opt_str_list(key)?;
        let mut out = Vec::with_capacity(patterns.len());
        for (pattern, loc) in patterns {
            match self.diags.patterns.compile(&pattern, REGEX_SIZE_LIMIT) {
                Ok(re) => out.push(re),
                Err(detail) => {
                    let last = detail
                        .lines()
                        .last()
                        .unwrap_or(&detail)
                        .trim()
                        .trim_start_matches("error: ")
                        .to_string();
                    let message = format!("bad regex in `{key}` of {}: {last}", self.owner);
                    self.diags.error_with_help(
                        loc,
                        message,
                        "patterns use Rust regex syntax (no look-around or back-references)",
                    );
                }
            }
        }
        Some(out)
    }

    pub fn opt_table(&mut self, key: &str) -> Option<(Table, Loc)> {
        let entry = self.take(key)?;
        match entry.node.value {
            Value::Table(t) => Some((t, entry.node.loc)),
            _ => {
                self.type_error(key, &entry.node, "a table");
                None
            }
        }
    }

    /// Reports every key left unread as unknown, suggesting the nearest of
    /// `known`.
    pub fn finish(self, known: &[&str]) {
        for entry in self.table.entries {
            let message = format!("unknown key `{}` in {}", entry.key, self.owner);
            let help = match did_you_mean(&entry.key, known.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("known keys here: {}", known.join(", ")),
            };
            self.diags.error_with_help(entry.key_loc, message, help);
        }
    }
}
