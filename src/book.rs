//! The book's preprocessor: `{{#exercise PACKAGE}}` becomes the exercise box.
//!
//! Each chapter ends in an exercise page that introduces the exercise in its
//! own words and then says `{{#exercise ports}}`. mdBook hands the whole book
//! to this preprocessor (the `netlab-book` binary, registered in `book.toml`),
//! which replaces that line with a box built from the crate's
//! `[package.metadata.netlab]`: how to work the exercise, the files to open,
//! each step with its points, its own test command and its hints, and how to
//! see the solution. The box is written from the same metadata `cargo lab`
//! reads, so the book and the command line cannot disagree about the steps.
//!
//! Where to start: [`expand_exercises`] finds and replaces the directives of
//! one page, [`exercise_box`] writes one box, and [`preprocess`] speaks
//! mdBook's protocol (book JSON in, book JSON out) for the binary.
//!
//! It also mends one mdBook gap on every page: a chapter's `README.md` is
//! rendered as `index.html`, but links to it are left pointing at a
//! `README.html` that does not exist (mdBook issue #984). [`fix_readme_links`]
//! points them at `index.md`, which mdBook then turns into `index.html`, so
//! authors can write the link that also works when browsing the sources.
//!
//! When the book is served on the reader's own machine, the box also shows
//! their progress, from the `.netlab/progress.json` that `cargo lab check`
//! writes: ✓ on each step that passed at the last check, "next" on the
//! first that did not. `book.toml` watches `.netlab/`, so `mdbook serve`
//! rebuilds the page after each check. A book built without a progress file
//! (a fresh clone, CI) or with `NETLAB_BOOK_PROGRESS=0` (a book to publish)
//! shows no marks: see [`reader_progress`].
//!
//! A directive that names no exercise stops the build with an error naming
//! the page and the exercises that exist: a silently empty box would look
//! like a finished page. `\{{#exercise …}}` (with a backslash) is left alone
//! so that mdBook's own `links` preprocessor, which runs after this one, can
//! print it literally.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

use crate::progress::Progress;
use crate::workbook::{Exercise, Step, Workbook};

/// The environment variable that turns the progress marks off (`0`) for a
/// book that is to be published, or on (`1`) even in CI.
pub const PROGRESS_VARIABLE: &str = "NETLAB_BOOK_PROGRESS";

/// The preprocessor's name: its table in `book.toml` is `[preprocessor.netlab]`.
pub const NAME: &str = "netlab";

/// The renderer the box is written for: raw HTML inside Markdown.
const HTML_RENDERER: &str = "html";

/// The directive keyword, as in `{{#exercise ports}}`.
const DIRECTIVE: &str = "exercise";

/// The preprocessor itself, for use in-process (`MDBook::with_preprocessor`)
/// as well as behind the `netlab-book` binary.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExercisePreprocessor;

impl Preprocessor for ExercisePreprocessor {
    fn name(&self) -> &str {
        NAME
    }

    /// Reads the workbook found at the book's root, then on every page mends
    /// the links to a `README.md` and expands each `{{#exercise …}}`. Every
    /// page with a bad directive is reported, not just the first, so one
    /// build shows all there is to fix.
    fn run(&self, ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        let workbook = Workbook::load(&ctx.root).with_context(|| {
            format!(
                "the {NAME} preprocessor could not read the exercises' metadata \
                 at {}",
                ctx.root.display()
            )
        })?;
        let progress = reader_progress(&ctx.root);
        let mut problems = Vec::new();
        book.for_each_chapter_mut(|chapter| {
            let page = chapter
                .source_path
                .as_ref()
                .or(chapter.path.as_ref())
                .map(|p| ctx.config.book.src.join(p))
                .unwrap_or_else(|| PathBuf::from(&chapter.name));
            if let Some(fixed) = fix_readme_links(&chapter.content) {
                chapter.content = fixed;
            }
            match expand_exercises(
                &chapter.content,
                &page,
                &workbook,
                progress.as_ref(),
            ) {
                Ok(Some(expanded)) => chapter.content = expanded,
                Ok(None) => {}
                Err(problem) => problems.push(format!("{problem:#}")),
            }
        });
        if !problems.is_empty() {
            bail!("{}", problems.join("\n"));
        }
        Ok(book)
    }

    fn supports_renderer(&self, renderer: &str) -> Result<bool> {
        Ok(supports(renderer))
    }
}

/// Whether the box can be written for `renderer`. Only HTML: the box is
/// raw HTML (`<details>` for the hints) that other renderers would mangle.
pub fn supports(renderer: &str) -> bool {
    renderer == HTML_RENDERER
}

/// mdBook's preprocessor protocol, minus the `supports` question: reads
/// `[context, book]` as JSON from `input`, expands the exercises, and writes
/// the book back as JSON to `output`.
pub fn preprocess(input: impl Read, output: impl Write) -> Result<()> {
    run_as_mdbook_preprocessor(&ExercisePreprocessor, input, output)
}

/// Runs any of the workbook's preprocessors the way mdBook calls a command:
/// `[context, book]` as JSON on `input`, the book back as JSON on `output`.
pub fn run_as_mdbook_preprocessor(
    pass: &impl Preprocessor,
    input: impl Read,
    output: impl Write,
) -> Result<()> {
    let (ctx, book) = mdbook_preprocessor::parse_input(input)
        .context("reading the book that mdBook sent on standard input")?;
    if let Some(warning) = version_warning(&ctx.mdbook_version) {
        eprintln!("{warning}");
    }
    let book = pass.run(&ctx, book)?;
    serde_json::to_writer(output, &book)
        .context("writing the preprocessed book back to mdBook")?;
    Ok(())
}

/// A warning when the calling mdBook is not the release line this
/// preprocessor was built against (the JSON shape changes between them).
fn version_warning(caller: &str) -> Option<String> {
    let built = mdbook_preprocessor::MDBOOK_VERSION;
    let release_line = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    (release_line(caller) != release_line(built)).then(|| {
        format!(
            "warning: the {NAME} preprocessor was built for mdBook {built}, but is \
             being called by mdBook {caller}; install mdBook {} if the book looks wrong",
            release_line(built)
        )
    })
}

/// The reader's own progress, when the marks are to be shown: the
/// workbook's `.netlab/progress.json` exists and [`PROGRESS_VARIABLE`] is
/// not `0`. A damaged file is a warning and no marks, never a failed book.
pub fn reader_progress(root: &Path) -> Option<Progress> {
    let wanted = std::env::var(PROGRESS_VARIABLE).unwrap_or_default();
    if matches!(wanted.trim(), "0" | "no" | "off" | "false") {
        return None;
    }
    if !Progress::file(root).is_file() {
        return None;
    }
    match Progress::load(root) {
        Ok(progress) => Some(progress),
        Err(error) => {
            eprintln!(
                "warning: the exercise boxes show no progress marks: {error:#}"
            );
            None
        }
    }
}

/// Points the page's Markdown links to a `README.md` at `index.md` instead
/// (`[chapter 2](../02-sockets/README.md#why)` becomes
/// `[chapter 2](../02-sockets/index.md#why)`), the name mdBook gives that
/// page in the HTML. Inline links and reference definitions are mended;
/// fenced code blocks, external links and other files are left alone.
/// `None` means there was nothing to mend.
pub fn fix_readme_links(content: &str) -> Option<String> {
    let mut fixed = String::with_capacity(content.len());
    let mut changed = false;
    let mut fence: Option<&str> = None;
    for line in content.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(opening)) => fence = Some(opening),
            (Some(open), Some(closing)) if open == closing => fence = None,
            _ => {}
        }
        if fence.is_some() || marker.is_some() {
            fixed.push_str(line);
            continue;
        }
        let mended = fix_readme_links_in_line(line);
        changed |= mended != line;
        fixed.push_str(&mended);
    }
    changed.then_some(fixed)
}

/// [`fix_readme_links`] for one line outside code blocks.
fn fix_readme_links_in_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    // A reference definition: `[name]: path/README.md`.
    let trimmed = rest.trim_start();
    if trimmed.starts_with('[')
        && let Some(colon) = trimmed.find("]: ")
    {
        let head = rest.len() - trimmed.len() + colon + 3;
        out.push_str(&rest[..head]);
        rest = &rest[head..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        out.push_str(&readme_to_index(&rest[..end]));
        rest = &rest[end..];
    }
    // Inline links: `[text](path/README.md#anchor "title")`.
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..at + 2]);
        rest = &rest[at + 2..];
        let end = rest
            .find(|c: char| c == ')' || c.is_whitespace())
            .unwrap_or(rest.len());
        out.push_str(&readme_to_index(&rest[..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `../x/README.md#a` → `../x/index.md#a`; any other destination as it is.
fn readme_to_index(destination: &str) -> String {
    let (path, anchor) = match destination.find('#') {
        Some(at) => destination.split_at(at),
        None => (destination, ""),
    };
    let external = path.contains(':') || path.starts_with('/');
    match path.strip_suffix("README.md") {
        Some(folder)
            if !external && (folder.is_empty() || folder.ends_with('/')) =>
        {
            format!("{folder}index.md{anchor}")
        }
        _ => destination.to_string(),
    }
}

/// One `{{#exercise PACKAGE}}` found in a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Where the whole directive sits in the page, braces included.
    pub span: Range<usize>,
    /// What it names: the text between `#exercise` and `}}`, trimmed.
    pub package: String,
}

/// Finds the `{{#exercise …}}` directives of a page, in order. Spaces are
/// allowed where mdBook allows them (`{{ #exercise ports }}`); an escaped
/// `\{{#exercise …}}` is skipped. A directive without a closing `}}` or
/// without exactly one package name is an error saying which one.
pub fn find_directives(content: &str) -> Result<Vec<Directive>> {
    let mut directives = Vec::new();
    let mut from = 0;
    while let Some(offset) = content[from..].find("{{") {
        let start = from + offset;
        from = start + 2;
        let Some(rest) = content[from..].trim_start().strip_prefix('#') else {
            continue;
        };
        let Some(after_keyword) = rest.strip_prefix(DIRECTIVE) else {
            continue;
        };
        // `{{#exercises}}` or `{{#exercise_x}}` is some other directive.
        if after_keyword.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if content[..start].ends_with('\\') {
            continue;
        }
        let line = line_number(content, start);
        let argument_start = content.len() - after_keyword.len();
        let Some(close) = content[argument_start..].find("}}") else {
            bail!("line {line}: `{{{{#{DIRECTIVE}` is never closed with `}}}}`");
        };
        let argument = &content[argument_start..argument_start + close];
        let mut words = argument.split_whitespace();
        let (Some(package), None) = (words.next(), words.next()) else {
            bail!(
                "line {line}: `{{{{#{DIRECTIVE}{argument}}}}}` should name exactly one \
                 exercise package, as in `{{{{#{DIRECTIVE} ports}}}}`"
            );
        };
        let end = argument_start + close + 2;
        directives.push(Directive {
            span: start..end,
            package: package.to_string(),
        });
        from = end;
    }
    Ok(directives)
}

/// The 1-based line of byte `offset`, for error messages.
fn line_number(content: &str, offset: usize) -> usize {
    content[..offset].matches('\n').count() + 1
}

/// Replaces every `{{#exercise PACKAGE}}` of `content` (the page `page`)
/// with that exercise's box, with the reader's marks when `progress` is
/// given. `Ok(None)` means the page has no directive and
/// stays as it is. The package must be an exercise's package name exactly;
/// otherwise the error names the page and lists the exercises there are.
pub fn expand_exercises(
    content: &str,
    page: &Path,
    workbook: &Workbook,
    progress: Option<&Progress>,
) -> Result<Option<String>> {
    let page_name = display_path(page);
    let directives = find_directives(content).with_context(|| page_name.clone())?;
    if directives.is_empty() {
        return Ok(None);
    }
    let mut expanded = String::with_capacity(content.len() + 4096);
    let mut copied_up_to = 0;
    for directive in directives {
        let exercise =
            find_exercise(workbook, &directive.package).with_context(|| {
                format!(
                    "{page_name}, line {}",
                    line_number(content, directive.span.start)
                )
            })?;
        expanded.push_str(&content[copied_up_to..directive.span.start]);
        expanded.push_str(&exercise_box_with_progress(
            exercise,
            &workbook.root,
            progress,
        ));
        copied_up_to = directive.span.end;
    }
    expanded.push_str(&content[copied_up_to..]);
    Ok(Some(expanded))
}

/// The exercise whose package is `package`, or an error listing them all.
fn find_exercise<'w>(workbook: &'w Workbook, package: &str) -> Result<&'w Exercise> {
    if let Some(exercise) = workbook.exercises.iter().find(|e| e.package == package)
    {
        return Ok(exercise);
    }
    let known: Vec<&str> = workbook
        .exercises
        .iter()
        .map(|e| e.package.as_str())
        .collect();
    let known = if known.is_empty() {
        "there are none (no package has [package.metadata.netlab])".to_string()
    } else {
        known.join(", ")
    };
    bail!(
        "`{{{{#{DIRECTIVE} {package}}}}}` names no exercise; the exercise packages \
         are: {known}"
    )
}

/// The box for one exercise, as Markdown with a little raw HTML around it.
///
/// `root` is the workbook's root, to show the exercise's files relative to
/// it. HTML blocks are always followed by a blank line so that the Markdown
/// inside them (code spans in hints, the command blocks) is still rendered.
pub fn exercise_box(exercise: &Exercise, root: &Path) -> String {
    exercise_box_with_progress(exercise, root, None)
}

/// How a step stands for the reader, as the box marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepMark {
    /// Passed at the last check: ✓.
    Passed,
    /// The first step that has not passed: "next".
    Next,
    /// Any later step that has not passed: no mark.
    Later,
}

/// The marks for each step of `exercise`, in order.
fn step_marks(exercise: &Exercise, progress: &Progress) -> Vec<StepMark> {
    let next = progress.first_unfinished(exercise).map(|n| n.number - 1);
    exercise
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            if progress.step_passed(exercise, step) {
                StepMark::Passed
            } else if Some(index) == next {
                StepMark::Next
            } else {
                StepMark::Later
            }
        })
        .collect()
}

/// [`exercise_box`], with the reader's progress marked when there is some:
/// a line in the header, and a mark beside each step's points.
pub fn exercise_box_with_progress(
    exercise: &Exercise,
    root: &Path,
    progress: Option<&Progress>,
) -> String {
    let marks = progress.map(|p| step_marks(exercise, p));
    let package = &exercise.package;
    let folder = exercise_folder(exercise, root);
    let total_points: u32 = exercise.steps.iter().map(|s| s.points).sum();
    let mut out = String::new();

    out.push_str("\n<div class=\"netlab-exercise\">\n");
    out.push_str("<div class=\"netlab-exercise-header\">\n");
    let _ = writeln!(
        out,
        "<span class=\"netlab-exercise-kicker\">Exercise · chapter {}</span>",
        exercise.chapter
    );
    let _ = writeln!(
        out,
        "<span class=\"netlab-exercise-title\">{}</span>",
        escape_html(&exercise.title)
    );
    let _ = writeln!(
        out,
        "<span class=\"netlab-exercise-size\">{}, {}</span>",
        count(exercise.steps.len(), "step", "steps"),
        count(total_points as usize, "point", "points")
    );
    if let Some(marks) = &marks {
        let passed = marks.iter().filter(|m| **m == StepMark::Passed).count();
        let _ = writeln!(
            out,
            "<span class=\"netlab-exercise-progress\">Your progress: {passed} of {} \
             pass (at your last <code>cargo lab check</code>)</span>",
            count(marks.len(), "step", "steps")
        );
    }
    out.push_str("</div>\n\n");

    out.push_str("**How to work it.** From the workbook's root folder:\n\n```sh\n");
    let commands = [
        (
            format!("cargo lab check {package}"),
            "run the tests, see which steps pass",
        ),
        (
            format!("cargo lab watch {package}"),
            "the same, again each time you save",
        ),
        (
            // Without --no-fail-fast cargo stops at the first step that
            // fails, which as shipped is step 1.
            format!("cargo test -p {package} --no-fail-fast"),
            "or plain cargo: every step's tests",
        ),
    ];
    let width = commands.iter().map(|(c, _)| c.len()).max().unwrap_or(0) + 2;
    for (command, what) in &commands {
        let _ = writeln!(out, "{command:<width$}# {what}");
    }
    out.push_str("```\n\n");

    let _ = write!(
        out,
        "**The files to open.** `{folder}/src/lib.rs` says what you build; \
         each step is one module:\n\n"
    );
    for (number, step) in exercise.steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "- `{folder}/src/{}.rs`: step {}",
            step.test,
            number + 1
        );
    }
    out.push('\n');

    for (number, step) in exercise.steps.iter().enumerate() {
        let mark = marks.as_ref().and_then(|m| m.get(number).copied());
        step_section(&mut out, package, number + 1, step, mark);
    }

    let _ = write!(
        out,
        "Stuck? `cargo lab hint {package}` gives the hints in the terminal, one \
         more each time.\n\n"
    );
    if let Some(solution) = &exercise.solution {
        let solution_folder = relative_folder(&solution.dir, root, "solutions");
        let _ = write!(
            out,
            "**When every step passes**, `cargo lab solution {package}` shows the \
             model answer (`{solution_folder}`): compare it with yours.\n\n"
        );
    }
    out.push_str("</div>\n\n");
    out
}

/// One step: its heading, points, its own test command and its hints.
fn step_section(
    out: &mut String,
    package: &str,
    number: usize,
    step: &Step,
    mark: Option<StepMark>,
) {
    out.push_str("<div class=\"netlab-step\">\n\n");
    // The mark goes beside the points, not in the heading, whose text is
    // the anchor other pages link to.
    let _ = write!(out, "### Step {number}: {}\n\n", step.title);
    let mark = match mark {
        Some(StepMark::Passed) => {
            " <span class=\"netlab-mark netlab-mark-passed\">✓ passes</span>"
        }
        Some(StepMark::Next) => {
            " <span class=\"netlab-mark netlab-mark-next\">next</span>"
        }
        Some(StepMark::Later) | None => "",
    };
    let _ = write!(
        out,
        "<span class=\"netlab-points\">{}</span>{mark}\n\n",
        count(step.points as usize, "point", "points")
    );
    let _ = write!(
        out,
        "This step alone: `cargo test -p {package} --test {}`\n\n",
        step.test
    );
    for (index, hint) in step.hints.iter().enumerate() {
        let _ = write!(
            out,
            "<details class=\"netlab-hint\">\n<summary>Hint {}</summary>\n\n{}\n\n\
             </details>\n\n",
            index + 1,
            hint.trim()
        );
    }
    out.push_str("</div>\n\n");
}

/// `exercises/01-ports`: the exercise's folder as a student sees it.
fn exercise_folder(exercise: &Exercise, root: &Path) -> String {
    relative_folder(&exercise.dir, root, "exercises")
}

/// `dir` relative to `root`, with `/` separators; when `dir` is not under
/// `root`, `<parent>/<folder name>` is the best guess.
fn relative_folder(dir: &Path, root: &Path, parent: &str) -> String {
    match dir.strip_prefix(root) {
        Ok(relative) if !relative.as_os_str().is_empty() => display_path(relative),
        _ => {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{parent}/{name}")
        }
    }
}

/// A path with `/` separators whatever the platform: it is shown to people
/// and pasted into shells.
fn display_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `1 point`, `10 points`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Text made safe to sit between HTML tags.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workbook::Solution;

    fn root() -> PathBuf {
        PathBuf::from("/workbook")
    }

    fn step(test: &str, title: &str, points: u32, hints: &[&str]) -> Step {
        Step {
            test: test.to_string(),
            title: title.to_string(),
            points,
            hints: hints.iter().map(|h| h.to_string()).collect(),
        }
    }

    /// A two-step exercise like chapter 1's, with a solution.
    fn ports() -> Exercise {
        Exercise {
            package: "ports".to_string(),
            dir: root().join("exercises/01-ports"),
            chapter: 1,
            title: "Addresses & ports".to_string(),
            page: "01-ports/exercise.md".to_string(),
            steps: vec![
                step(
                    "step1_host_port",
                    "Parse host:port strings",
                    10,
                    &["Look at `rsplit_once`.", "IPv6 needs brackets."],
                ),
                step("step2_ipv4_forms", "Read IPv4 forms", 1, &["Try `u32`."]),
            ],
            solution: Some(Solution {
                package: "ports-solution".to_string(),
                dir: root().join("solutions/01-ports"),
            }),
        }
    }

    fn workbook() -> Workbook {
        let mut udp = ports();
        udp.package = "udp".to_string();
        udp.dir = root().join("exercises/03-udp");
        udp.solution = None;
        Workbook {
            root: root(),
            exercises: vec![ports(), udp],
        }
    }

    fn page() -> &'static Path {
        Path::new("book/01-ports/exercise.md")
    }

    /// The box carries everything a student needs to start, from metadata.
    #[test]
    fn box_shows_title_commands_files_steps_and_solution() {
        let html = exercise_box(&ports(), &root());
        for expected in [
            "Exercise · chapter 1",
            "Addresses &amp; ports",
            "2 steps, 11 points",
            "cargo lab check ports",
            "cargo lab watch ports",
            "cargo test -p ports --no-fail-fast ",
            "`exercises/01-ports/src/lib.rs`",
            "`exercises/01-ports/src/step1_host_port.rs`: step 1",
            "`exercises/01-ports/src/step2_ipv4_forms.rs`: step 2",
            "### Step 1: Parse host:port strings",
            "### Step 2: Read IPv4 forms",
            "10 points",
            "1 point<",
            "`cargo test -p ports --test step1_host_port`",
            "`cargo test -p ports --test step2_ipv4_forms`",
            "`cargo lab hint ports`",
            "`cargo lab solution ports`",
            "`solutions/01-ports`",
        ] {
            assert!(
                html.contains(expected),
                "no `{expected}` in the box:\n{html}"
            );
        }
    }

    /// Each hint is its own collapsed block, with blank lines around the
    /// Markdown inside so that code spans still render.
    #[test]
    fn hints_are_collapsible_blocks_with_markdown_inside() {
        let html = exercise_box(&ports(), &root());
        assert!(html.contains(
            "<details class=\"netlab-hint\">\n<summary>Hint 1</summary>\n\n\
             Look at `rsplit_once`.\n\n</details>\n\n"
        ));
        assert!(html.contains("<summary>Hint 2</summary>\n\nIPv6 needs brackets."));
        assert_eq!(html.matches("<details").count(), 3);
        assert_eq!(html.matches("</details>").count(), 3);
    }

    /// Every HTML tag the box opens, it closes, so the page after it is safe.
    #[test]
    fn box_closes_every_block_it_opens() {
        let html = exercise_box(&ports(), &root());
        assert_eq!(html.matches("<div").count(), html.matches("</div>").count());
        assert!(html.trim_end().ends_with("</div>"));
    }

    /// Without a model answer the box promises none.
    #[test]
    fn box_without_solution_does_not_mention_one() {
        let mut exercise = ports();
        exercise.solution = None;
        let html = exercise_box(&exercise, &root());
        assert!(!html.contains("cargo lab solution"));
    }

    /// The directive is replaced in place; the page around it is kept.
    #[test]
    fn directive_is_replaced_by_the_box() {
        let content =
            "# Exercise: ports\n\nIntro.\n\n{{#exercise ports}}\n\nAfter.\n";
        let expanded = expand_exercises(content, page(), &workbook(), None)
            .unwrap()
            .expect("the page has a directive");
        assert!(expanded.starts_with("# Exercise: ports\n\nIntro.\n\n"));
        assert!(expanded.ends_with("</div>\n\n\n\nAfter.\n"));
        assert!(!expanded.contains("{{#"));
        assert!(expanded.contains("### Step 1: Parse host:port strings"));
    }

    /// A page without a directive is left alone.
    #[test]
    fn page_without_directive_is_unchanged() {
        let content = "# Ports\n\n{{#include ../../x.rs:anchor}}\n";
        assert_eq!(
            expand_exercises(content, page(), &workbook(), None).unwrap(),
            None
        );
    }

    /// An unknown package stops the build, naming the page, the line and
    /// the exercises that do exist.
    #[test]
    fn unknown_package_is_an_error_naming_page_and_exercises() {
        let content = "# Exercise\n\n{{#exercise portz}}\n";
        let error =
            expand_exercises(content, page(), &workbook(), None).unwrap_err();
        let message = format!("{error:#}");
        assert!(
            message.contains("book/01-ports/exercise.md, line 3"),
            "{message}"
        );
        assert!(message.contains("`{{#exercise portz}}`"), "{message}");
        assert!(message.contains("ports, udp"), "{message}");
    }

    /// The folder name is not enough: the book names packages, exactly.
    #[test]
    fn folder_name_is_not_a_package_name() {
        let content = "{{#exercise 01-ports}}";
        assert!(expand_exercises(content, page(), &workbook(), None).is_err());
    }

    /// Spaces as mdBook allows them; escaped and other directives skipped.
    #[test]
    fn directives_are_found_with_spaces_but_not_escaped() {
        let content = "a {{ #exercise  ports }} b \\{{#exercise udp}} \
                       {{#exercises x}} {{#include f.rs}} {{#exercise udp}}";
        let found = find_directives(content).unwrap();
        let packages: Vec<&str> = found.iter().map(|d| d.package.as_str()).collect();
        assert_eq!(packages, ["ports", "udp"]);
        assert_eq!(&content[found[0].span.clone()], "{{ #exercise  ports }}");
        assert!(content[found[1].span.clone()].starts_with("{{#exercise udp"));
    }

    /// Two pages' worth of directives on one page both expand.
    #[test]
    fn several_directives_on_one_page_all_expand() {
        let content = "{{#exercise ports}}\n{{#exercise udp}}\n";
        let expanded = expand_exercises(content, page(), &workbook(), None)
            .unwrap()
            .unwrap();
        assert!(expanded.contains("cargo lab check ports"));
        assert!(expanded.contains("cargo lab check udp"));
    }

    /// A malformed directive is an error, not text left on the page.
    #[test]
    fn malformed_directives_are_errors() {
        for content in [
            "{{#exercise}}",
            "{{#exercise ports udp}}",
            "text\n{{#exercise ports",
        ] {
            let error =
                expand_exercises(content, page(), &workbook(), None).unwrap_err();
            let message = format!("{error:#}");
            assert!(message.contains("book/01-ports/exercise.md"), "{message}");
            assert!(message.contains("line"), "{message}");
        }
    }

    /// Links to a chapter's README.md point at the page mdBook writes.
    #[test]
    fn readme_links_point_at_index() {
        let content = "See [chapter 2](../02-sockets/README.md) and \
                       [here](README.md#why \"t\").\n\
                       [ref]: ../03-udp/README.md\n";
        assert_eq!(
            fix_readme_links(content).unwrap(),
            "See [chapter 2](../02-sockets/index.md) and \
             [here](index.md#why \"t\").\n\
             [ref]: ../03-udp/index.md\n"
        );
    }

    /// Code, external links and other files named like README are left alone.
    #[test]
    fn other_links_and_code_blocks_are_untouched() {
        let content = "[gh](https://example.com/README.md) [x](NOT-README.md) \
                       [a](ipv4.md#x)\n\
                       ```md\n[in code](README.md)\n```\n\
                       ~~~\n[in code](README.md)\n~~~\n";
        assert_eq!(fix_readme_links(content), None);
    }

    /// Only the HTML renderer gets the box.
    #[test]
    fn supports_only_html() {
        assert!(supports("html"));
        assert!(!supports("markdown"));
        assert!(!supports("epub"));
    }

    /// With progress, the header counts the steps that pass, the passing
    /// steps get ✓ and the first other one "next"; without, no mark at all.
    #[test]
    fn progress_marks_passed_steps_and_the_next_one() {
        let exercise = ports();
        let mut progress = Progress::default();
        progress.record_check(&exercise, ["step1_host_port"]);
        let html = exercise_box_with_progress(&exercise, &root(), Some(&progress));
        assert!(html.contains("Your progress: 1 of 2 steps pass"), "{html}");
        let step2 = html.find("### Step 2").expect("step 2");
        let passed = html.find("✓ passes").expect("a ✓");
        let next = html.find(">next</span>").expect("a next");
        assert!(
            passed < step2 && step2 < next,
            "✓ on step 1, next on step 2"
        );
        assert_eq!(html.matches("netlab-mark-passed").count(), 1);
        assert_eq!(html.matches("netlab-mark-next").count(), 1);

        let none = exercise_box(&exercise, &root());
        assert!(!none.contains("netlab-mark"));
        assert!(!none.contains("Your progress"));
    }

    /// Calling mdBook of another release line is worth a warning.
    #[test]
    fn version_mismatch_warns() {
        assert_eq!(version_warning(mdbook_preprocessor::MDBOOK_VERSION), None);
        assert!(version_warning("0.4.52").is_some());
    }
}
