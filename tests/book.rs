//! The book, built and checked the way a reader would meet it.
//!
//! Each test that needs HTML builds the whole book with `mdbook-driver` into
//! its own temporary folder, reading the real `book.toml`, with one change:
//! the `netlab` preprocessor's command is the `netlab-book` binary cargo
//! already built for these tests, so no test runs cargo inside cargo.
//!
//! mdBook reports several problems (a missing include file, an unknown
//! directive) as log lines and still succeeds, so these tests look at what
//! it wrote: no `{{#` left over, every page there, every link and anchor
//! pointing at something that exists.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

use mdbook_driver::MDBook;
use mdbook_driver::book::{BookItem, Chapter};
use mdbook_driver::config::Config;
use netlab::book::find_directives;
use netlab::workbook::Workbook;
use tempfile::TempDir;

/// The workbook's root: where `book.toml` and `Cargo.toml` are.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The book's configuration as `book.toml` says, with the preprocessors'
/// commands pointed at the binary built for these tests and the output in
/// `build_dir`.
fn test_config(build_dir: &Path) -> Config {
    let mut config =
        Config::from_disk(root().join("book.toml")).expect("reading book.toml");
    config
        .set("build.build-dir", build_dir)
        .expect("setting build.build-dir");
    let binary = env!("CARGO_BIN_EXE_netlab-book");
    // mdBook splits the command like a shell would.
    let command = format!("'{}'", binary.replace('\'', r"'\''"));
    config
        .set("preprocessor.netlab.command", &command)
        .expect("setting the netlab preprocessor's command");
    config
        .set(
            "preprocessor.netlab-snippets.command",
            format!("{command} snippets"),
        )
        .expect("setting the netlab-snippets preprocessor's command");
    config
}

/// The book's sources: `book/` (or whatever `book.toml` calls it).
fn source_dir() -> PathBuf {
    let config =
        Config::from_disk(root().join("book.toml")).expect("reading book.toml");
    root().join(config.book.src)
}

/// A book built into a temporary folder that lives as long as this value.
struct BuiltBook {
    _dir: TempDir,
    /// Where the HTML is.
    html: PathBuf,
    /// The book as mdBook loaded it (chapters before preprocessing).
    book: MDBook,
}

/// Whether mdbook-quiz, the preprocessor `book.toml` registers for the
/// quizzes, is installed. mdBook 0.5 stops a build whose preprocessor is
/// missing, so without it no book test can build the book: each one says
/// so and skips, except under `NETLAB_REQUIRE_PEERS=1` (CI), where it fails.
fn quiz_plugin_installed() -> bool {
    let found = Command::new("mdbook-quiz")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !found {
        let message = "mdbook-quiz is not installed, and book.toml registers it for the \
                       quizzes: install it with `cargo install mdbook-quiz@0.5.0 --locked` \
                       (CI's .ci/install-peers does)";
        if std::env::var_os("NETLAB_REQUIRE_PEERS").is_some_and(|v| v == "1") {
            panic!("{message}");
        }
        eprintln!("skipped: {message}");
    }
    found
}

impl BuiltBook {
    /// Builds the whole book, or panics with mdBook's error; `None` (after
    /// saying why) when mdbook-quiz is missing and peers are not required.
    fn build() -> Option<BuiltBook> {
        if !quiz_plugin_installed() {
            return None;
        }
        let dir = tempfile::tempdir().expect("creating a temporary build folder");
        let html = dir.path().join("html");
        let book = MDBook::load_with_config(root(), test_config(&html))
            .unwrap_or_else(|e| panic!("mdBook could not load the book: {e:?}"));
        book.build()
            .unwrap_or_else(|e| panic!("building the book failed: {e:?}"));
        Some(BuiltBook {
            _dir: dir,
            html,
            book,
        })
    }

    /// Every HTML file mdBook wrote, relative to the output folder.
    fn html_files(&self) -> Vec<PathBuf> {
        files_under(&self.html)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .collect()
    }

    fn read(&self, relative: &Path) -> String {
        std::fs::read_to_string(self.html.join(relative))
            .unwrap_or_else(|e| panic!("reading {}: {e}", relative.display()))
    }
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder)
            .unwrap_or_else(|e| panic!("listing {}: {e}", folder.display()));
        for entry in entries {
            let path = entry.expect("reading a folder entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    files.sort();
    files
}

/// The HTML file mdBook writes for a page of SUMMARY.md: `x.md` becomes
/// `x.html`, and a chapter's `README.md` becomes its `index.html`.
fn html_page_for(source: &Path) -> PathBuf {
    if source.file_name().is_some_and(|n| n == "README.md") {
        source.with_file_name("index.html")
    } else {
        source.with_extension("html")
    }
}

/// The pages SUMMARY.md links to, relative to the book's sources, in order.
fn summary_pages() -> Vec<PathBuf> {
    let summary = std::fs::read_to_string(source_dir().join("SUMMARY.md"))
        .expect("reading SUMMARY.md");
    let mut pages = Vec::new();
    for line in summary.lines() {
        let Some((_, after)) = line.split_once("](") else {
            continue;
        };
        let Some((target, _)) = after.split_once(')') else {
            continue;
        };
        // `[Draft]()` is a chapter without a page.
        if !target.trim().is_empty() {
            pages.push(PathBuf::from(target.trim()));
        }
    }
    pages
}

/// Every Markdown file under the book's sources, relative to them.
fn markdown_pages() -> Vec<PathBuf> {
    files_under(&source_dir())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect()
}

/// A path with `/` separators, as the metadata writes pages.
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

// ---------------------------------------------------------------------------
// Reading the generated HTML (mdBook writes every attribute in double quotes)

/// The values of every `name="…"` attribute in `html`, decoded.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!("{name}=\"");
    let mut values = Vec::new();
    let mut from = 0;
    while let Some(offset) = html[from..].find(&needle) {
        let start = from + offset;
        from = start + needle.len();
        // ` href="` and not `data-href="`.
        let preceded_by_space = html[..start]
            .chars()
            .next_back()
            .is_some_and(char::is_whitespace);
        let Some(end) = html[from..].find('"') else {
            break;
        };
        if preceded_by_space {
            values.push(decode_entities(&html[from..from + end]));
        }
        from += end + 1;
    }
    values
}

/// The few entities mdBook writes inside attributes and text.
fn decode_entities(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `%20` and friends, as a browser would decode a link before following it.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The text a reader sees: tags dropped, entities decoded, and mdBook's
/// smart punctuation turned back into plain quotes and dashes.
fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    decode_entities(&text)
        .replace(['‘', '’'], "'")
        .replace(['“', '”'], "\"")
        .replace('—', "---")
        .replace('–', "--")
        .replace('…', "...")
}

/// A link target that leaves the book: another site, mail, script.
fn is_external(target: &str) -> bool {
    let scheme = target
        .split_once(':')
        .is_some_and(|(before, _)| !before.contains(['/', '#', '?']));
    scheme || target.starts_with("//")
}

/// `a/b/../c` → `a/c`, without touching the disk; `None` when the path
/// climbs above where it started.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                _ => return None,
            },
            other => parts.push(other),
        }
    }
    Some(parts.iter().collect())
}

/// Where a page's relative links start from: its own folder, or the book's
/// root when the page has `<base href="/">` (mdBook's 404 page).
fn link_base(page: &Path, html: &str) -> PathBuf {
    let has_root_base = html
        .split("<base ")
        .skip(1)
        .any(|tag| tag.starts_with("href=\"/\""));
    if has_root_base {
        PathBuf::new()
    } else {
        page.parent().map(Path::to_path_buf).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------
// The tests

/// The book builds, every directive (`{{#include}}`, `{{#exercise}}`, …) was
/// expanded, and every page of SUMMARY.md has its HTML page.
#[test]
fn book_builds_with_every_directive_expanded_and_every_page_present() {
    let Some(built) = BuiltBook::build() else {
        return;
    };

    let mut leftovers = Vec::new();
    for page in built.html_files() {
        let html = built.read(&page);
        for (line_number, line) in html.lines().enumerate() {
            if let Some(at) = line.find("{{#") {
                let rest = &line[at..];
                let directive = rest.find("}}").map_or(rest, |end| &rest[..end + 2]);
                leftovers.push(format!(
                    "{}:{}: {directive}",
                    page.display(),
                    line_number + 1
                ));
            }
        }
    }
    assert!(
        leftovers.is_empty(),
        "mdBook left these directives unexpanded (a missing include file, a \
         misspelt anchor or directive?):\n{}",
        leftovers.join("\n")
    );

    let mut missing = Vec::new();
    for item in built.book.iter() {
        if let BookItem::Chapter(Chapter {
            source_path: Some(source),
            ..
        }) = item
        {
            let page = html_page_for(source);
            if !built.html.join(&page).is_file() {
                missing.push(format!(
                    "{} (from {})",
                    page.display(),
                    source.display()
                ));
            }
        }
    }
    for page in ["index.html", "print.html", "404.html"] {
        if !built.html.join(page).is_file() {
            missing.push(page.to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "pages missing from the HTML book:\n{}",
        missing.join("\n")
    );
}

/// Every link within the book and every image leads to a file that exists,
/// and every `#anchor` to an id on the page it points at. External links
/// (http, https, mailto) are not followed.
#[test]
fn internal_links_anchors_and_images_resolve() {
    let Some(built) = BuiltBook::build() else {
        return;
    };
    let mut ids_of: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut ids = |page: &Path| -> HashSet<String> {
        ids_of
            .entry(page.to_path_buf())
            .or_insert_with(|| {
                let html = std::fs::read_to_string(built.html.join(page))
                    .unwrap_or_default();
                attribute_values(&html, "id").into_iter().collect()
            })
            .clone()
    };

    let mut broken = Vec::new();
    for page in built.html_files() {
        let html = built.read(&page);
        let base = link_base(&page, &html);
        let targets = attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"));
        for target in targets {
            if target.is_empty()
                || is_external(&target)
                || is_quiz_asset_on_print_page(&page, &target)
            {
                continue;
            }
            let (path_part, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, Some(percent_decode(fragment))),
                None => (target.as_str(), None),
            };
            let path_part = path_part.split('?').next().unwrap_or_default();
            let file = if path_part.is_empty() {
                Some(page.clone())
            } else if let Some(from_root) = path_part.strip_prefix('/') {
                normalize(Path::new(&percent_decode(from_root)))
            } else {
                normalize(&base.join(percent_decode(path_part)))
            };
            let Some(mut file) = file else {
                broken
                    .push(format!("{}: `{target}` leaves the book", page.display()));
                continue;
            };
            if file.as_os_str().is_empty() || built.html.join(&file).is_dir() {
                file.push("index.html");
            }
            if !built.html.join(&file).is_file() {
                broken.push(format!(
                    "{}: `{target}` points at {}, which is not in the book",
                    page.display(),
                    file.display()
                ));
                continue;
            }
            let is_html = file.extension().is_some_and(|e| e == "html");
            if let Some(fragment) = fragment.filter(|f| !f.is_empty() && is_html)
                && !ids(&file).contains(&fragment)
            {
                broken.push(format!(
                    "{}: `{target}`: {} has no id `{fragment}`",
                    page.display(),
                    file.display()
                ));
            }
        }
    }
    broken.sort();
    broken.dedup();
    assert!(
        broken.is_empty(),
        "broken links in the HTML book (fix the Markdown link or the heading it \
         points at):\n{}",
        broken.join("\n")
    );
}

/// Where mdbook-quiz copies its script and style on every build, under the
/// sources (by design: mdBook empties the build folder after preprocessing).
/// Git ignores it; it is the one thing a build may write there.
const QUIZ_ASSETS: &str = "quiz";

/// mdbook-quiz links its script and style relative to the chapter's folder
/// (`../quiz/…`), and mdBook copies those links unchanged into `print.html`,
/// one folder higher. A browser resolves them at the site's root, which is
/// where the book is when served by `mdbook serve` (the browser test loads
/// print.html that way); this is the one link allowed to climb out.
fn is_quiz_asset_on_print_page(page: &Path, target: &str) -> bool {
    page == Path::new("print.html")
        && target
            .strip_prefix("../")
            .is_some_and(|rest| rest.starts_with(&format!("{QUIZ_ASSETS}/")))
}

/// A fingerprint of every file under `dir`: its path and a hash of its bytes
/// (mdbook-quiz's copied assets left out).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, u64> {
    files_under(dir)
        .into_iter()
        .filter(|file| !file.starts_with(QUIZ_ASSETS))
        .map(|file| {
            let bytes = std::fs::read(dir.join(&file))
                .unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
            let mut hasher = DefaultHasher::new();
            bytes.hash(&mut hasher);
            (file, hasher.finish())
        })
        .collect()
}

/// Building writes only to the build folder: the sources in `book/` are the
/// same files with the same bytes afterwards (mdBook empties its build
/// folder first, so a build-dir inside `book/` would wipe the sources).
#[test]
fn building_leaves_the_book_sources_untouched() {
    let sources = source_dir();
    let before = snapshot(&sources);
    let Some(built) = BuiltBook::build() else {
        return;
    };
    let after = snapshot(&sources);

    let configured = built.book.config.build.build_dir.clone();
    assert!(
        !root().join(&configured).starts_with(&sources),
        "build-dir in book.toml must be outside the sources (it is {})",
        configured.display()
    );
    let changed: Vec<String> = before
        .keys()
        .chain(after.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|file| before.get(*file) != after.get(*file))
        .map(|file| file.display().to_string())
        .collect();
    assert!(
        changed.is_empty(),
        "building the book changed files under {}:\n{}",
        sources.display(),
        changed.join("\n")
    );
}

/// Every page SUMMARY.md lists exists (a missing one would be an error for
/// mdBook, but this says which).
#[test]
fn every_page_in_the_summary_exists() {
    let sources = source_dir();
    let pages = summary_pages();
    assert!(!pages.is_empty(), "SUMMARY.md lists no pages");
    let missing: Vec<String> = pages
        .iter()
        .filter(|page| !sources.join(page).is_file())
        .map(|page| page.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "SUMMARY.md lists pages that do not exist under {}:\n{}",
        sources.display(),
        missing.join("\n")
    );
}

/// Chapters and exercises point at each other: each chapter's exercise page
/// says `{{#exercise X}}` with X an exercise package, each exercise is named
/// by exactly one page, and that page is the one its metadata gives.
#[test]
fn every_exercise_is_named_by_exactly_its_own_page() {
    let workbook = Workbook::load(&root()).expect("reading the exercises' metadata");
    assert!(
        !workbook.exercises.is_empty(),
        "the workbook has no exercises"
    );
    let sources = source_dir();
    let packages: BTreeSet<&str> = workbook
        .exercises
        .iter()
        .map(|e| e.package.as_str())
        .collect();

    let mut problems = Vec::new();
    let mut named_on: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for page in markdown_pages() {
        let content = std::fs::read_to_string(sources.join(&page)).unwrap();
        let directives = match find_directives(&content) {
            Ok(directives) => directives,
            Err(e) => {
                problems.push(format!("{}: {e:#}", page.display()));
                continue;
            }
        };
        for directive in directives {
            if !packages.contains(directive.package.as_str()) {
                problems.push(format!(
                    "{} names `{}`, which is no exercise package (they are: {})",
                    page.display(),
                    directive.package,
                    packages.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            }
            named_on
                .entry(directive.package)
                .or_default()
                .push(slash_path(&page));
        }
    }

    let summary: BTreeSet<String> =
        summary_pages().iter().map(|p| slash_path(p)).collect();
    for page in &summary {
        if page.ends_with("/exercise.md") || page == "exercise.md" {
            let content =
                std::fs::read_to_string(sources.join(page)).unwrap_or_default();
            let count = find_directives(&content).map(|d| d.len()).unwrap_or(0);
            if count != 1 {
                problems.push(format!(
                    "{page} is a chapter's exercise page but has {count} \
                     `{{{{#exercise …}}}}` lines (it needs exactly one)"
                ));
            }
        }
    }

    for exercise in &workbook.exercises {
        let pages = named_on.get(&exercise.package).cloned().unwrap_or_default();
        match pages.as_slice() {
            [page] if *page == exercise.page => {}
            [page] => problems.push(format!(
                "`{}` is named on {page}, but its metadata says page = \"{}\"",
                exercise.package, exercise.page
            )),
            [] => problems.push(format!(
                "no page says `{{{{#exercise {}}}}}` (its metadata says page = \"{}\")",
                exercise.package, exercise.page
            )),
            many => problems.push(format!(
                "`{}` is named on several pages: {}",
                exercise.package,
                many.join(", ")
            )),
        }
        if !summary.contains(&exercise.page) {
            problems.push(format!(
                "`{}`'s page {} is not in SUMMARY.md",
                exercise.package, exercise.page
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the chapters and the exercises disagree:\n{}",
        problems.join("\n")
    );
}

/// Code included from an anchor inside a function reaches the reader at
/// the left margin: no code block in the HTML has every line indented.
#[test]
fn included_code_starts_at_the_left_margin() {
    let Some(built) = BuiltBook::build() else {
        return;
    };
    let mut indented = Vec::new();
    for page in built.html_files() {
        let html = built.read(&page);
        for block in html.split("<pre><code").skip(1) {
            let body = block.split_once('>').map_or("", |(_, rest)| rest);
            let body = body.split("</code>").next().unwrap_or("");
            let lines: Vec<&str> =
                body.lines().filter(|l| !l.trim().is_empty()).collect();
            if !lines.is_empty() && lines.iter().all(|l| l.starts_with(' ')) {
                let first = lines[0].trim();
                indented.push(format!("{}: `{first}` …", page.display()));
            }
        }
    }
    assert!(
        indented.is_empty(),
        "code blocks shown indented (is the netlab-snippets preprocessor registered \
         after `links` in book.toml?):\n{}",
        indented.join("\n")
    );
}

/// Chapter 1's exercise page shows the box: every step's title and command
/// from the metadata, and its hints as collapsible blocks.
#[test]
fn chapter_one_exercise_page_shows_the_steps_and_hints() {
    let workbook = Workbook::load(&root()).expect("reading the exercises' metadata");
    let exercise = workbook
        .exercises
        .iter()
        .find(|e| e.chapter == 1)
        .expect("an exercise for chapter 1");
    let Some(built) = BuiltBook::build() else {
        return;
    };
    let page = html_page_for(Path::new(&exercise.page));
    let html = built.read(&page);
    let text = visible_text(&html);

    assert!(
        html.contains("class=\"netlab-exercise\""),
        "{} has no exercise box: does {} say `{{{{#exercise {}}}}}`?",
        page.display(),
        exercise.page,
        exercise.package
    );
    for step in &exercise.steps {
        let title = step.title.replace('`', "").replace("**", "");
        assert!(
            text.contains(&title),
            "{} does not show step `{}`'s title \"{title}\"",
            page.display(),
            step.test
        );
        let command =
            format!("cargo test -p {} --test {}", exercise.package, step.test);
        assert!(
            text.contains(&command),
            "{} does not show `{command}`",
            page.display()
        );
    }
    let hints: usize = exercise.steps.iter().map(|s| s.hints.len()).sum();
    assert!(hints > 0, "chapter 1's steps have no hints");
    assert_eq!(
        html.matches("<details class=\"netlab-hint\"").count(),
        hints,
        "{} should show each of the {hints} hints as a <details> block",
        page.display()
    );
    assert!(text.contains("Hint 1"));
}

/// Every picture in `book/images` is an SVG that scales (it has a viewBox)
/// and that some page shows: an unused picture is either a forgotten
/// reference or a file to delete.
#[test]
fn every_svg_is_well_formed_and_used() {
    let sources = source_dir();
    let images = sources.join("images");
    if !images.is_dir() {
        return;
    }
    let pages: Vec<String> = markdown_pages()
        .iter()
        .map(|p| std::fs::read_to_string(sources.join(p)).unwrap_or_default())
        .collect();

    let mut problems = Vec::new();
    for image in files_under(&images) {
        let name = slash_path(&image);
        if image.extension().is_none_or(|e| e != "svg") {
            continue;
        }
        let svg = std::fs::read_to_string(images.join(&image)).unwrap_or_default();
        if !svg.contains("<svg") || !svg.trim_end().ends_with("</svg>") {
            problems.push(format!("images/{name} is not an <svg>…</svg> document"));
        }
        if !svg.contains("viewBox") {
            problems.push(format!(
                "images/{name} has no viewBox, so it will not scale with the page"
            ));
        }
        let reference = format!("images/{name}");
        if !pages.iter().any(|page| page.contains(&reference)) {
            problems.push(format!("images/{name} is not shown on any page"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The `{{#include FILE:ANCHOR}}` lines of a page: (line number, file as
/// written, anchor). Line ranges (`:10:20`) have no anchor; escaped
/// directives are skipped.
fn anchored_includes(content: &str) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    for (index, line) in content.lines().enumerate() {
        for (at, _) in line.match_indices("{{#") {
            if line[..at].ends_with('\\') {
                continue;
            }
            let rest = &line[at + 3..];
            let Some(argument) = rest
                .strip_prefix("include ")
                .or_else(|| rest.strip_prefix("rustdoc_include "))
            else {
                continue;
            };
            let argument = argument.split("}}").next().unwrap_or_default();
            let target = argument.split_whitespace().next().unwrap_or_default();
            if let Some((file, selector)) = target.split_once(':') {
                let anchor = selector.split(':').next().unwrap_or_default();
                if !anchor.is_empty() && !anchor.chars().all(|c| c.is_ascii_digit())
                {
                    found.push((index + 1, file.to_string(), anchor.to_string()));
                }
            }
        }
    }
    found
}

/// Whether `source` marks the anchor `name` with `ANCHOR: name` and
/// `ANCHOR_END: name` lines, as mdBook's `{{#include file:name}}` expects.
fn has_anchor(source: &str, name: &str) -> bool {
    let marks = |keyword: &str| {
        source.lines().any(|line| {
            line.split_once(keyword).is_some_and(|(_, after)| {
                let after = after.trim_start();
                after.strip_prefix(name).is_some_and(|tail| {
                    !tail.starts_with(|c: char| {
                        c.is_alphanumeric() || c == '_' || c == '-'
                    })
                })
            })
        })
    };
    marks("ANCHOR:") && marks("ANCHOR_END:")
}

/// Every `{{#include FILE:ANCHOR}}` names a file that exists and an anchor
/// marked in it. mdBook quietly includes nothing for a misspelt anchor: the
/// reader would meet an empty code block.
#[test]
fn every_included_anchor_exists() {
    let sources = source_dir();
    let mut problems = Vec::new();
    for page in markdown_pages() {
        let content =
            std::fs::read_to_string(sources.join(&page)).unwrap_or_default();
        let folder = sources.join(&page).parent().unwrap().to_path_buf();
        for (line, file, anchor) in anchored_includes(&content) {
            let where_ = format!("{}:{line}", page.display());
            let Ok(source) = std::fs::read_to_string(folder.join(&file)) else {
                problems.push(format!(
                    "{where_}: includes {file}, which does not exist"
                ));
                continue;
            };
            if !has_anchor(&source, &anchor) {
                problems.push(format!(
                    "{where_}: {file} has no `// ANCHOR: {anchor}` … \
                     `// ANCHOR_END: {anchor}` lines"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "code included into the book is missing:\n{}",
        problems.join("\n")
    );
}

/// A page naming an exercise that does not exist stops the build with an
/// error, instead of a book with a hole in it.
#[test]
fn an_unknown_exercise_stops_the_build() {
    if !quiz_plugin_installed() {
        return;
    }
    let dir = tempfile::tempdir().expect("creating a temporary build folder");
    let mut book = MDBook::load_with_config(root(), test_config(dir.path()))
        .unwrap_or_else(|e| panic!("mdBook could not load the book: {e:?}"));
    // The preprocessor's error for this page shows in the test's output.
    book.book.push_item(Chapter::new(
        "Deliberately broken",
        "# Broken on purpose\n\n{{#exercise deliberately-missing}}\n".to_string(),
        "deliberately-broken.md",
        Vec::new(),
    ));
    let error = match book.build() {
        Ok(()) => panic!("the book built although a page names no real exercise"),
        Err(error) => format!("{error:#}"),
    };
    assert!(error.contains("netlab"), "unexpected error: {error}");
}

/// The binary speaks mdBook's protocol: `supports html` says yes with exit
/// code 0, any other renderer no; a bad book is an error that names the page
/// and the exercises there are.
#[test]
fn preprocessor_binary_follows_the_mdbook_protocol() {
    let binary = env!("CARGO_BIN_EXE_netlab-book");
    let supports = |renderer: &str| {
        Command::new(binary)
            .args(["supports", renderer])
            .status()
            .expect("running netlab-book supports")
    };
    assert!(supports("html").success(), "`supports html` should exit 0");
    assert_eq!(supports("markdown").code(), Some(1));

    let config =
        Config::from_disk(root().join("book.toml")).expect("reading book.toml");
    let ctx = mdbook_preprocessor::PreprocessorContext::new(
        root(),
        config,
        "html".to_string(),
    );
    let mut book = mdbook_driver::book::Book::new();
    book.push_item(Chapter::new(
        "Exercise",
        "# Exercise\n\n{{#exercise no-such-exercise}}\n".to_string(),
        "01-ports/exercise.md",
        Vec::new(),
    ));
    let input = serde_json::to_vec(&(&ctx, &book)).unwrap();
    let output = run_with_stdin(binary, &input);
    assert!(!output.status.success(), "an unknown exercise must fail");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("book/01-ports/exercise.md"), "{stderr}");
    assert!(stderr.contains("no-such-exercise"), "{stderr}");
    let workbook = Workbook::load(&root()).unwrap();
    for exercise in &workbook.exercises {
        assert!(stderr.contains(&exercise.package), "{stderr}");
    }

    let mut book = mdbook_driver::book::Book::new();
    let package = &workbook.exercises[0].package;
    book.push_item(Chapter::new(
        "Exercise",
        format!("# Exercise\n\n{{{{#exercise {package}}}}}\n"),
        "exercise.md",
        Vec::new(),
    ));
    let input = serde_json::to_vec(&(&ctx, &book)).unwrap();
    let output = run_with_stdin(binary, &input);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let book: mdbook_driver::book::Book =
        serde_json::from_slice(&output.stdout).expect("the book back as JSON");
    let Some(BookItem::Chapter(chapter)) = book.items.first() else {
        panic!("the chapter did not come back");
    };
    assert!(
        chapter
            .content
            .contains(&format!("cargo lab check {package}"))
    );
    assert!(!chapter.content.contains("{{#"));
}

/// Runs `binary` with `input` on its standard input and collects its output.
fn run_with_stdin(binary: &str, input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir(root())
        .spawn()
        .expect("starting netlab-book");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input)
        .expect("writing the book to netlab-book");
    child.wait_with_output().expect("waiting for netlab-book")
}
