//! Many accounts in one run: `plan` and `apply` given several manifests or a directory.
//!
//! Every manifest is loaded first, so two files naming one account are refused before any
//! request. Then each account is planned (and applied) concurrently with the others, over
//! its own connection: its own key (`account.api_key_env`) and its own client, so its own
//! rate limiter. One account's failure never stops another. The output keeps each
//! account's plan together under a header line, and ends with one summary.

mod apply;
mod plan;
mod summary;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use apply::apply;
pub use plan::{PlanRun, plan};

use super::plan::{Prepared, load, prepare_loaded};
use super::target::TargetArgs;
use crate::manifest;
use crate::plan::PlanOptions;
use crate::sandbox::RunningSandbox;

/// Why a run over many accounts did not start.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum FleetError {
    #[error("`{path}` holds no manifest (no `*.yaml` or `*.yml` file)")]
    #[diagnostic(help("put one manifest per account in the directory, or name the files"))]
    EmptyDirectory { path: String },

    #[error("cannot list the directory `{path}`")]
    #[diagnostic(help("check that it exists and is readable"))]
    ReadDirectory {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("`--out` saves the plan of one account, and this run plans several")]
    #[diagnostic(help(
        "plan each account on its own to save its plan: one saved plan per account"
    ))]
    OutWithMany,

    #[error("applying {count} accounts needs `--auto-approve`")]
    #[diagnostic(help(
        "many plans are not confirmed one by one on a terminal: review them with \
         `mercfg plan`, then run `apply` again with `--auto-approve`"
    ))]
    ApproveMany { count: usize },

    #[error("`{path}` is a saved plan, not a manifest")]
    #[diagnostic(help(
        "apply it with `mercfg apply {path}`, or plan the manifest it was made from"
    ))]
    PlanOfSavedPlan { path: String },

    #[error("`{path}` is a saved plan, and this run applies several accounts")]
    #[diagnostic(help("apply each saved plan on its own: `mercfg apply {path}`"))]
    SavedPlanWithMany { path: String },

    #[error("`{first}` and `{second}` both describe the account `{slug}`")]
    #[diagnostic(help("keep one manifest per account; two would fight over the same objects"))]
    SameAccount { slug: String, first: String, second: String },
}

/// The manifests a command was given: one file keeps the single-account output; several
/// files, or any directory, make a run over many accounts.
#[derive(Debug, PartialEq, Eq)]
pub enum Inputs {
    One(PathBuf),
    Many(Vec<PathBuf>),
}

impl Inputs {
    /// Expands directories to the `*.yaml` and `*.yml` files directly in them, by name.
    /// Every one of them must be a manifest: bases used through `extends` live elsewhere.
    pub fn expand(paths: &[PathBuf]) -> Result<Inputs, FleetError> {
        if let [path] = paths
            && !path.is_dir()
        {
            return Ok(Inputs::One(path.clone()));
        }

        let mut files: Vec<PathBuf> = Vec::new();
        for path in paths {
            let found = if path.is_dir() { manifests_in(path)? } else { vec![path.clone()] };
            for file in found {
                if !files.contains(&file) {
                    files.push(file);
                }
            }
        }
        Ok(Inputs::Many(files))
    }
}

/// A saved plan is JSON; a manifest is YAML whose first non-blank character is never `{`
/// in practice, but the extension decides first.
pub fn is_saved_plan(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
}

/// The manifests directly in `dir`, sorted by name.
fn manifests_in(dir: &Path) -> Result<Vec<PathBuf>, FleetError> {
    let display = || dir.display().to_string();
    let entries = std::fs::read_dir(dir)
        .map_err(|source| FleetError::ReadDirectory { path: display(), source })?;
    let mut files = Vec::new();
    for entry in entries {
        let path =
            entry.map_err(|source| FleetError::ReadDirectory { path: display(), source })?.path();
        let yaml = path
            .extension()
            .and_then(|ext| ext.to_str())
            .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml"));
        if yaml && path.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(FleetError::EmptyDirectory { path: display() });
    }
    files.sort();
    Ok(files)
}

/// One account of the run: the manifest it comes from and how far it got.
pub struct Account {
    pub file: PathBuf,
    /// The manifest's `account.slug`, once it loaded.
    pub slug: Option<String>,
    pub status: Status,
}

/// How far an account got in planning.
pub enum Status {
    /// The manifest did not load; nothing was sent.
    Invalid(manifest::Diagnostics),
    /// Connecting or reading the account failed.
    Failed(miette::Report),
    /// Planned and checked against the rails.
    Ready(Box<Prepared>),
}

impl Account {
    /// `== ferreteria-andina (accounts/andina.yaml)`, or only the file when the manifest
    /// did not load.
    pub fn header(&self) -> String {
        match &self.slug {
            Some(slug) => format!("{slug} ({})", self.file.display()),
            None => self.file.display().to_string(),
        }
    }
}

/// Loads every manifest, then connects to and plans every account that loaded, all at
/// once. With `--sandbox` one embedded sandbox serves every account; it is returned so the
/// caller stops it after the last request.
pub async fn prepare_all(
    files: Vec<PathBuf>,
    target: &TargetArgs,
    options: PlanOptions,
) -> miette::Result<(Vec<Account>, Option<RunningSandbox>)> {
    let mut accounts = Vec::with_capacity(files.len());
    let mut loaded = Vec::new();
    for file in files {
        let (slug, status) = match load(&file) {
            Ok(Ok((bytes, manifest))) => {
                let slug = manifest.account.slug.clone();
                loaded.push((accounts.len(), bytes, manifest));
                (Some(slug), None)
            }
            Ok(Err(problems)) => (None, Some(Status::Invalid(problems))),
            Err(report) => (None, Some(Status::Failed(report))),
        };
        let status = status.unwrap_or_else(|| Status::Failed(miette::miette!("not planned")));
        accounts.push(Account { file, slug, status });
    }
    check_distinct(&accounts)?;

    let sandbox = target.start_sandbox().await?;
    let mut tasks = Vec::with_capacity(loaded.len());
    for (index, bytes, manifest) in loaded {
        match target.connect_on(sandbox.as_ref(), Some(&manifest.account)) {
            Ok(connection) => {
                let task = tokio::spawn(async move {
                    prepare_loaded(&bytes, &manifest, connection, &options).await
                });
                tasks.push((index, task));
            }
            Err(report) => accounts[index].status = Status::Failed(report),
        }
    }
    // Every task is already running; waiting in file order only orders the results.
    for (index, task) in tasks {
        accounts[index].status = match task.await {
            Ok(Ok(prepared)) => Status::Ready(Box::new(prepared)),
            Ok(Err(report)) => Status::Failed(report),
            Err(_) => Status::Failed(miette::miette!("planning the account stopped unexpectedly")),
        };
    }
    Ok((accounts, sandbox))
}

/// Refuses two manifests for the same account: their plans would undo each other.
fn check_distinct(accounts: &[Account]) -> Result<(), FleetError> {
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for account in accounts {
        let Some(slug) = &account.slug else { continue };
        if let Some(first) = seen.insert(slug, &account.file) {
            return Err(FleetError::SameAccount {
                slug: slug.clone(),
                first: first.display().to_string(),
                second: account.file.display().to_string(),
            });
        }
    }
    Ok(())
}

/// Closes every account's connection, then the shared sandbox.
pub async fn close(accounts: Vec<Account>, sandbox: Option<RunningSandbox>) {
    for account in accounts {
        if let Status::Ready(prepared) = account.status {
            prepared.connection.close().await;
        }
    }
    if let Some(sandbox) = sandbox
        && let Err(error) = sandbox.stop().await
    {
        tracing::warn!("the embedded sandbox did not stop cleanly: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_stays_one_and_a_directory_is_many() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.yaml", "a.yml", "notes.txt", "c.YAML"] {
            std::fs::write(dir.path().join(name), "version: 1").unwrap();
        }
        std::fs::create_dir(dir.path().join("templates.yaml")).unwrap();
        let one = dir.path().join("b.yaml");

        assert_eq!(Inputs::expand(std::slice::from_ref(&one)).unwrap(), Inputs::One(one.clone()));
        let Inputs::Many(files) = Inputs::expand(&[dir.path().to_path_buf(), one]).unwrap() else {
            panic!("a directory is many accounts");
        };
        let names: Vec<_> =
            files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["a.yml", "b.yaml", "c.YAML"]);
    }

    #[test]
    fn a_directory_without_manifests_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let error = Inputs::expand(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(matches!(error, FleetError::EmptyDirectory { .. }));
    }

    #[test]
    fn two_manifests_for_one_account_are_refused() {
        let account = |file: &str, slug: &str| Account {
            file: PathBuf::from(file),
            slug: Some(slug.to_owned()),
            status: Status::Failed(miette::miette!("not planned")),
        };
        let accounts = [account("a.yaml", "norte"), account("b.yaml", "sur")];
        assert!(check_distinct(&accounts).is_ok());
        let accounts = [account("a.yaml", "norte"), account("b.yaml", "norte")];
        let error = check_distinct(&accounts).unwrap_err();
        assert_eq!(error.to_string(), "`a.yaml` and `b.yaml` both describe the account `norte`");
    }
}
