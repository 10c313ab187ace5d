//! Tidies the code the book includes from compiled files.
//!
//! Every snippet in the book comes from a real `.rs` file through
//! `{{#include file.rs:anchor}}`, so it cannot drift from code that compiles.
//! An anchor usually sits inside a function, and mdBook copies the lines as
//! they are: the reader would see every line pushed four or eight spaces to
//! the right. This pass runs after mdBook's own `links` preprocessor (which
//! does the including) and moves each fenced code block back to the left
//! margin by the indentation all its lines share. Nothing else changes.

use anyhow::Result;
use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

/// The name under which `book.toml` registers this pass.
pub const NAME: &str = "netlab-snippets";

/// The pass as an mdBook preprocessor.
#[derive(Debug, Default, Clone, Copy)]
pub struct SnippetPreprocessor;

impl Preprocessor for SnippetPreprocessor {
    fn name(&self) -> &str {
        NAME
    }

    fn run(&self, _ctx: &PreprocessorContext, mut book: Book) -> Result<Book> {
        book.for_each_chapter_mut(|chapter| {
            if let Some(tidied) = dedent_code_blocks(&chapter.content) {
                chapter.content = tidied;
            }
        });
        Ok(book)
    }
}

/// Removes from each fenced code block (```` ``` ```` or `~~~`) the leading
/// spaces that all its non-blank lines share. `None` when no block moved.
pub fn dedent_code_blocks(content: &str) -> Option<String> {
    let lines: Vec<&str> = content.split_inclusive('\n').collect();
    let mut tidied = String::with_capacity(content.len());
    let mut changed = false;
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        tidied.push_str(line);
        index += 1;
        let Some(fence) = opening_fence(line) else {
            continue;
        };
        let body_start = index;
        while index < lines.len() && !closes(lines[index], &fence) {
            index += 1;
        }
        let body = &lines[body_start..index];
        let shared = shared_indent(body);
        changed |= shared > 0;
        for body_line in body {
            tidied.push_str(without_indent(body_line, shared));
        }
        if let Some(closing_fence) = lines.get(index) {
            tidied.push_str(closing_fence);
            index += 1;
        }
    }
    changed.then_some(tidied)
}

/// The fence that opens a code block on `line` (its characters, e.g.
/// ```` ``` ```` or `~~~~`), if it opens one.
fn opening_fence(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = trimmed.chars().take_while(|c| *c == marker).count();
    (length >= 3).then(|| marker.to_string().repeat(length))
}

/// Whether `line` closes the block opened by `fence`.
fn closes(line: &str, fence: &str) -> bool {
    let trimmed = line.trim();
    trimmed.starts_with(fence) && trimmed.chars().all(|c| fence.starts_with(c))
}

/// `line` less its first `indent` spaces; a blank line keeps only its end.
fn without_indent(line: &str, indent: usize) -> &str {
    if line.trim().is_empty() {
        &line[line.trim_end_matches(['\r', '\n']).len()..]
    } else {
        &line[indent..]
    }
}

/// The number of leading spaces every non-blank line has.
fn shared_indent(lines: &[&str]) -> usize {
    lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_an_indented_snippet_to_the_margin() {
        let page = "Text\n\n```rust\n    let a = 1;\n        if a > 0 {}\n\n    done();\n```\nafter\n";
        let tidied = dedent_code_blocks(page).unwrap();
        assert_eq!(
            tidied,
            "Text\n\n```rust\nlet a = 1;\n    if a > 0 {}\n\ndone();\n```\nafter\n"
        );
    }

    #[test]
    fn leaves_a_page_without_indented_blocks_alone() {
        assert_eq!(
            dedent_code_blocks("```\nx\n  y\n```\n    indented prose\n"),
            None
        );
    }

    #[test]
    fn knows_tilde_fences_and_longer_fences() {
        let page = "~~~~text\n  ```\n  inner\n  ```\n~~~~\n";
        assert_eq!(
            dedent_code_blocks(page).unwrap(),
            "~~~~text\n```\ninner\n```\n~~~~\n"
        );
    }

    #[test]
    fn an_unclosed_block_runs_to_the_end() {
        assert_eq!(dedent_code_blocks("```\n  a\n  b").unwrap(), "```\na\nb");
    }
}
