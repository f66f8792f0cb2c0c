//! An owned TOML tree in which every key and value remembers its file and
//! span, so rules merged from several files still point at the right place.

use super::diagnostics::{Diagnostics, Loc, SourceFile};
use toml_span::value::ValueInner;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Node>),
    Table(Table),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub loc: Loc,
}

/// A table's entries in document order, each with the key's own location.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_loc: Loc,
    pub node: Node,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let index = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(index))
    }

    /// Inserts or replaces `entry`, keeping the original position on replace.
    pub fn set(&mut self, entry: Entry) {
        match self.entries.iter_mut().find(|e| e.key == entry.key) {
            Some(slot) => *slot = entry,
            None => self.entries.push(entry),
        }
    }

    /// Lays `other` over `self`: tables merge key by key, anything else is
    /// replaced.
    pub fn overlay(&mut self, other: Table) {
        for entry in other.entries {
            match (self.entries.iter_mut().find(|e| e.key == entry.key), entry) {
                (
                    Some(Entry {
                        node:
                            Node {
                                value: Value::Table(mine),
                                ..
                            },
                        ..
                    }),
                    Entry {
                        node:
                            Node {
                                value: Value::Table(theirs),
                                ..
                            },
                        ..
                    },
                ) => mine.overlay(theirs),
                (_, entry) => self.set(entry),
            }
        }
    }
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// Policy files larger than this are refused: a policy is a page of rules,
/// and a huge one is a mistake or an attack.
pub const MAX_POLICY_BYTES: usize = 1 << 20;

/// Parses one file into a tree; a syntax error is recorded, with
/// `syntax_help` as its help, and yields `None`.
pub fn parse(diags: &mut Diagnostics, name: &str, text: &str, syntax_help: &str) -> Option<Table> {
    let file = diags.add_file(SourceFile::new(name, text));
    if text.len() > MAX_POLICY_BYTES {
        diags.error_with_help(
            Loc::default_in(file),
            format!(
                "{name} is {} bytes; the limit is {MAX_POLICY_BYTES}",
                text.len()
            ),
            "check that this is the file you meant; policies can be split into several files",
        );
        return None;
    }
    match toml_span::parse(text) {
        Ok(mut root) => match convert(file, &mut root).value {
            Value::Table(table) => Some(table),
            _ => None,
        },
        Err(err) => {
            diags.error_with_help(
                Loc {
                    file,
                    span: err.span,
                },
                format!("invalid TOML: {}", syntax_message(&err)),
                syntax_help,
            );
            None
        }
    }
}

fn syntax_message(err: &toml_span::Error) -> String {
    let text = err.to_string();
    // toml-span appends its own position; ours is printed beside the source.
    text.split(" at line ").next().unwrap_or(&text).to_string()
}

impl Loc {
    pub fn default_in(file: usize) -> Loc {
        Loc {
            file,
            span: toml_span::Span::new(0, 0),
        }
    }
}

fn convert(file: usize, value: &mut toml_span::Value<'_>) -> Node {
    let loc = Loc {
        file,
        span: value.span,
    };
    let value = match value.take() {
        ValueInner::String(s) => Value::Str(s.into_owned()),
        ValueInner::Integer(i) => Value::Int(i),
        ValueInner::Float(f) => Value::Float(f),
        ValueInner::Boolean(b) => Value::Bool(b),
        ValueInner::Array(mut items) => {
            Value::Array(items.iter_mut().map(|v| convert(file, v)).collect())
        }
        ValueInner::Table(table) => {
            let mut entries: Vec<Entry> = table
                .into_iter()
                .map(|(key, mut v)| Entry {
                    key: key.name.into_owned(),
                    key_loc: Loc {
                        file,
                        span: key.span,
                    },
                    node: convert(file, &mut v),
                })
                .collect();
            // toml-span keeps tables sorted by name; document order reads better.
            entries.sort_by_key(|e| e.key_loc.span.start);
            Value::Table(Table { entries })
        }
    };
    Node { value, loc }
}
