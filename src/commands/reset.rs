//! `cargo lab reset EXERCISE`: puts the exercise's stub back, after saving
//! the student's `src/` in `.netlab/backups/<exercise>-<unix time>/`.
//!
//! The stub comes from git: the version of `src/` in the branch's upstream
//! (`@{upstream}`, what the class was handed) if there is one, else `HEAD`.
//! Only the files under the exercise's `src/` are read (`git ls-tree`,
//! `git cat-file`) and written; nothing else in the checkout is touched.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use super::{Lab, Verdict};

/// Restores the stub of the exercise named and says where the backup went.
pub fn run(lab: &mut Lab, name: &str) -> Result<Verdict> {
    let exercise = lab.workbook.exercise(name)?.clone();
    let src = exercise.src_dir();
    let repo = GitCheckout::find(&lab.workbook.root)?;
    let (revision, revision_name) = repo.pristine_revision()?;
    let in_repo = repo.relative(&src)?;
    let files = repo
        .files_under(&revision, &in_repo)
        .with_context(|| format!("listing {} in git", in_repo))?;
    if files.is_empty() {
        bail!(
            "{in_repo} is not in git at {revision_name}: there is no stub to restore"
        );
    }

    let backup = backup_dir(&lab.workbook.root, &exercise.package);
    if src.exists() {
        copy_tree(&src, &backup).with_context(|| {
            format!("backing up {} to {}", src.display(), backup.display())
        })?;
    }
    std::fs::remove_dir_all(&src)
        .or_else(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Ok(()),
            _ => Err(e),
        })
        .with_context(|| format!("clearing {}", src.display()))?;
    for file in &files {
        let contents = repo
            .file_at(&revision, file)
            .with_context(|| format!("reading {file} at {revision_name}"))?;
        let path = repo.root.join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, contents)
            .with_context(|| format!("writing {}", path.display()))?;
    }

    lab.progress.forget_passes(&exercise);
    lab.progress.save().context("saving your progress")?;
    println!(
        "{}: {} is the stub again (from {revision_name})",
        exercise.package,
        lab.show_path(&src)
    );
    if src.exists() && backup.exists() {
        println!("your version is saved in {}/", lab.show_path(&backup));
    }
    println!(
        "next: {}",
        lab.style
            .bold(&format!("cargo lab check {}", exercise.package))
    );
    Ok(Verdict::Passed)
}

/// `.netlab/backups/<exercise>-<unix time>`, with a suffix if that exists.
fn backup_dir(root: &Path, package: &str) -> PathBuf {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let backups = root.join(".netlab").join("backups");
    let mut dir = backups.join(format!("{package}-{now}"));
    let mut n = 2;
    while dir.exists() {
        dir = backups.join(format!("{package}-{now}-{n}"));
        n += 1;
    }
    dir
}

/// Copies the folder `from` to `to`, recursively.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The git checkout that holds the workbook.
struct GitCheckout {
    root: PathBuf,
}

impl GitCheckout {
    /// The checkout around `dir`, or a clear refusal outside one.
    fn find(dir: &Path) -> Result<GitCheckout> {
        let output = Command::new("git")
            .current_dir(dir)
            .args(["rev-parse", "--show-toplevel"])
            .output();
        match output {
            Ok(output) if output.status.success() => {
                let root = String::from_utf8_lossy(&output.stdout).trim().to_owned();
                Ok(GitCheckout {
                    root: PathBuf::from(root),
                })
            }
            Ok(_) => bail!(
                "the workbook at {} is not a git checkout, so there is no stub \
                 to restore from; reset needs the workbook as cloned with git",
                dir.display()
            ),
            Err(e) => Err(e).context("running git (is it installed?)"),
        }
    }

    /// Runs git in the checkout's root; its stdout, or an error with stderr.
    fn git(&self, args: &[&str]) -> Result<Vec<u8>> {
        let output = Command::new("git")
            .current_dir(&self.root)
            .args(args)
            .output()
            .context("running git")?;
        if !output.status.success() {
            bail!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(output.stdout)
    }

    /// The commit to take stubs from, and how to name it to a person: the
    /// upstream of the current branch if it has one, else `HEAD`.
    fn pristine_revision(&self) -> Result<(String, String)> {
        let commit = |rev: &str| -> Result<String> {
            let out = self.git(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ])?;
            Ok(String::from_utf8_lossy(&out).trim().to_owned())
        };
        if let Ok(upstream) = commit("@{upstream}") {
            let name = self
                .git(&["rev-parse", "--abbrev-ref", "@{upstream}"])
                .map(|out| String::from_utf8_lossy(&out).trim().to_owned())
                .unwrap_or_else(|_| "the upstream branch".to_owned());
            return Ok((upstream, name));
        }
        let head = commit("HEAD").context(
            "the git checkout has no commit yet, so there is no stub to restore from",
        )?;
        Ok((head, "HEAD".to_owned()))
    }

    /// `path` relative to the checkout's root, with `/` separators, as git names it.
    fn relative(&self, path: &Path) -> Result<String> {
        let root = self
            .root
            .canonicalize()
            .context("finding the git checkout")?;
        let path = match path.canonicalize() {
            Ok(path) => path,
            // src/ deleted: its parent still tells where it was.
            Err(_) => {
                let parent = path.parent().context("a path without a folder")?;
                let name = path.file_name().context("a path without a name")?;
                parent
                    .canonicalize()
                    .with_context(|| format!("finding {}", parent.display()))?
                    .join(name)
            }
        };
        let relative = path.strip_prefix(&root).with_context(|| {
            format!(
                "{} is outside the git checkout {}",
                path.display(),
                root.display()
            )
        })?;
        let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
        Ok(parts.join("/"))
    }

    /// The files (paths from the root) under `dir` in `revision`.
    fn files_under(&self, revision: &str, dir: &str) -> Result<Vec<String>> {
        let out = self.git(&[
            "ls-tree",
            "-r",
            "-z",
            "--full-name",
            "--name-only",
            revision,
            "--",
            &format!("{dir}/"),
        ])?;
        Ok(out
            .split(|b| *b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect())
    }

    /// The contents of `file` (path from the root) in `revision`.
    fn file_at(&self, revision: &str, file: &str) -> Result<Vec<u8>> {
        self.git(&["cat-file", "blob", &format!("{revision}:{file}")])
    }
}
