//! The account folders under a folder: what `ahr batch ROOT` audits, and
//! what `ahr audit` points to when it is given a folder of accounts rather
//! than one. A folder that holds exports is an account and is not searched
//! further: its sub-folders (`policies/`, an archive) are its own. Any
//! other folder is searched, so an agency may group its clients
//! (`clients/eu/de-shop/`). Hidden folders are skipped, a folder met a
//! second time through a link is not searched again (a link back up the
//! tree would loop), and the search stops [`MAX_DEPTH`] folders down.

use crate::parallel;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How far below the root account folders are looked for: deeper than any
/// grouping an agency uses (region / country / team / client is four), yet
/// a root given by mistake (a home folder) is not searched to the bottom.
pub const MAX_DEPTH: usize = 6;

/// An account folder found under the root.
#[derive(Debug)]
pub struct Found<T> {
    /// Its path relative to the root, folder names joined by `/`
    /// (`eu/de-shop`): how a batch names it, whatever the platform.
    pub folder: String,
    pub dir: PathBuf,
    /// What the classifier made of it.
    pub what: T,
}

/// What lies under the root.
#[derive(Debug)]
pub struct Tree<T> {
    /// The account folders, sorted by [`Found::folder`].
    pub accounts: Vec<Found<T>>,
    /// Everything else worth telling the user about, relative to the root
    /// and sorted: stray files, folders without exports (`notes/`, which
    /// stands for all it holds) and folders not searched, with the reason.
    /// Folders that only group account folders are not listed.
    pub ignored: Vec<String>,
}

/// Searches `root` for account folders. `classify` is called on every
/// folder under the root (not the root itself), one level at a time on up
/// to `threads` threads, with the folder's relative name and path: `Some`
/// for an account folder, `None` for a folder to search. Fails only when
/// the root cannot be listed.
pub fn account_folders<T: Send>(
    root: &Path,
    threads: usize,
    classify: impl Fn(&str, &Path) -> Option<T> + Sync,
) -> std::io::Result<Tree<T>> {
    let mut seen = HashMap::new();
    seen.insert(canonical(root), String::new());
    let mut ignored = Vec::new();
    let mut level = Vec::new();
    sort_entries(entries(root)?, "", &mut seen, &mut ignored, &mut level);

    let mut accounts = Vec::new();
    // Folders searched below the root, each with what it holds besides
    // folders: listed only if the folder turns out to group accounts.
    let mut searched: Vec<(String, Vec<String>)> = Vec::new();
    // Folders whose search was cut short: always listed, with why.
    let mut unsearched: Vec<(String, String)> = Vec::new();
    for depth in 1..=MAX_DEPTH {
        if level.is_empty() {
            break;
        }
        let (_, verdicts) = parallel::share_out(
            threads,
            &level,
            || (),
            |_, (folder, dir)| classify(folder, dir),
        );
        let mut next = Vec::new();
        for ((folder, dir), verdict) in level.into_iter().zip(verdicts) {
            if let Some(what) = verdict {
                accounts.push(Found { folder, dir, what });
                continue;
            }
            if depth == MAX_DEPTH {
                let why = format!(
                    "not searched: account folders are looked for at most {MAX_DEPTH} folders deep"
                );
                unsearched.push((folder, why));
                continue;
            }
            // The classifier has just listed it; failing now is a race
            // with whoever changes the folder, and is said as such.
            let children = match entries(&dir) {
                Ok(children) => children,
                Err(err) => {
                    unsearched.push((folder, format!("cannot list: {err}")));
                    continue;
                }
            };
            let mut others = Vec::new();
            let prefix = format!("{folder}/");
            sort_entries(children, &prefix, &mut seen, &mut others, &mut next);
            searched.push((folder, others));
        }
        level = next;
    }

    // A searched folder groups accounts when an account folder, or a
    // folder whose search was cut short, lies below it.
    let below: Vec<&str> = accounts
        .iter()
        .map(|a| a.folder.as_str())
        .chain(unsearched.iter().map(|(folder, _)| folder.as_str()))
        .collect();
    let groups = |folder: &str| {
        below.iter().any(|b| {
            b.strip_prefix(folder)
                .is_some_and(|rest| rest.starts_with('/'))
        })
    };
    for (folder, others) in &searched {
        if groups(folder) {
            ignored.extend(others.iter().cloned());
        } else if folder
            .rsplit_once('/')
            .is_none_or(|(parent, _)| groups(parent))
        {
            ignored.push(format!("{folder}/"));
        }
    }
    ignored.extend(
        unsearched
            .into_iter()
            .map(|(folder, why)| format!("{folder}/ ({why})")),
    );
    ignored.sort();
    accounts.sort_by(|a, b| a.folder.cmp(&b.folder));
    Ok(Tree { accounts, ignored })
}

/// One entry of a folder.
struct Entry {
    name: String,
    path: PathBuf,
    /// A folder, or a link to one.
    is_dir: bool,
}

/// The entries of `dir` but hidden ones (`.git`, `.DS_Store`: never
/// accounts, and not worth listing), sorted by name.
fn entries(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = super::table::display_name(&path);
        if name.starts_with('.') {
            continue;
        }
        let is_dir = path.is_dir();
        found.push(Entry { name, path, is_dir });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// Records the folder `dir`, named `folder`, as met; when it was met
/// before (two links to one folder, or a link back up the tree), says so
/// instead, in the words the ignored list uses.
fn already_searched(
    seen: &mut HashMap<PathBuf, String>,
    dir: &Path,
    folder: &str,
) -> Option<String> {
    let resolved = canonical(dir);
    match seen.get(&resolved) {
        Some(first) if first.is_empty() => Some(format!("{folder}/ (a link back to the root)")),
        Some(first) => Some(format!("{folder}/ (the same folder as {first}/)")),
        None => {
            seen.insert(resolved, folder.to_string());
            None
        }
    }
}

/// Sorts a folder's entries, each named `prefix` and its name: folders not
/// searched yet go to `to_search`; files, and folders already searched by
/// another path (said as such), go to `others`.
fn sort_entries(
    entries: Vec<Entry>,
    prefix: &str,
    seen: &mut HashMap<PathBuf, String>,
    others: &mut Vec<String>,
    to_search: &mut Vec<(String, PathBuf)>,
) {
    for entry in entries {
        let name = format!("{prefix}{}", entry.name);
        if !entry.is_dir {
            others.push(name);
        } else if let Some(note) = already_searched(seen, &entry.path, &name) {
            others.push(note);
        } else {
            to_search.push((name, entry.path));
        }
    }
}

/// The path with every link resolved; the path itself when that fails,
/// so a folder that cannot be resolved is still searched once.
fn canonical(dir: &Path) -> PathBuf {
    dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// A folder holding `orders.csv` is an account, as far as these tests go.
    fn orders_file(_: &str, dir: &Path) -> Option<()> {
        dir.join("orders.csv").is_file().then_some(())
    }

    fn tree(paths: &[&str]) -> tempfile::TempDir {
        let root = tempfile::Builder::new()
            .prefix("ahr-folders-")
            .tempdir()
            .unwrap();
        for path in paths {
            let path = root.path().join(path);
            if path.extension().is_some() {
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, b"x").unwrap();
            } else {
                fs::create_dir_all(&path).unwrap();
            }
        }
        root
    }

    fn folders(tree: &Tree<()>) -> Vec<&str> {
        tree.accounts.iter().map(|a| a.folder.as_str()).collect()
    }

    #[test]
    fn grouping_folders_are_searched_and_account_folders_are_not() {
        let root = tree(&[
            "acme/orders.csv",
            "acme/archive/orders.csv",
            "eu/de-shop/orders.csv",
            "eu/notes.txt",
            "eu/old-client",
            "us/west/sunset/orders.csv",
            "empty",
            "archive/2024/invoice.pdf",
            "README.txt",
            ".git/objects/orders.csv",
        ]);
        for threads in [1, 3] {
            let found = account_folders(root.path(), threads, orders_file).unwrap();
            assert_eq!(
                folders(&found),
                ["acme", "eu/de-shop", "us/west/sunset"],
                "acme/archive is acme's own; .git is hidden"
            );
            assert_eq!(
                found.ignored,
                [
                    "README.txt",
                    "archive/",
                    "empty/",
                    "eu/notes.txt",
                    "eu/old-client/"
                ],
                "us/ and us/west/ only group accounts; archive/ stands for what it holds"
            );
            assert_eq!(
                found.accounts[2].dir,
                root.path().join("us").join("west").join("sunset")
            );
        }
    }

    #[test]
    fn the_search_stops_at_the_depth_bound_and_says_so() {
        let chain = |depth: usize| vec!["a"; depth].join("/");
        let root = tree(&[&format!("{}/orders.csv", chain(MAX_DEPTH))]);
        let found = account_folders(root.path(), 1, orders_file).unwrap();
        assert_eq!(folders(&found), [chain(MAX_DEPTH)]);
        assert!(found.ignored.is_empty(), "{:?}", found.ignored);

        let root = tree(&[&format!("{}/orders.csv", chain(MAX_DEPTH + 1))]);
        let found = account_folders(root.path(), 1, orders_file).unwrap();
        assert!(found.accounts.is_empty());
        assert_eq!(
            found.ignored,
            [format!(
                "{}/ (not searched: account folders are looked for at most {MAX_DEPTH} folders deep)",
                chain(MAX_DEPTH)
            )]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_back_up_and_second_links_to_a_folder_are_not_searched_again() {
        use std::os::unix::fs::symlink;
        let root = tree(&["eu/de-shop/orders.csv", "elsewhere/fr/orders.csv"]);
        symlink(root.path(), root.path().join("eu/up")).unwrap();
        symlink(root.path().join("eu"), root.path().join("europe")).unwrap();
        symlink(root.path().join("nowhere"), root.path().join("eu/gone")).unwrap();
        let found = account_folders(root.path(), 2, orders_file).unwrap();
        assert_eq!(folders(&found), ["elsewhere/fr", "eu/de-shop"]);
        assert_eq!(
            found.ignored,
            [
                "eu/gone",
                "eu/up/ (a link back to the root)",
                "europe/ (the same folder as eu/)"
            ]
        );
    }
}
