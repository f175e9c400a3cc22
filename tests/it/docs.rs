//! The documentation: `docs/keys.md` is what the default keymap renders to, every link in README.md
//! and docs/*.md stays inside the repository and resolves (file and `#anchor`), and README.md keeps to
//! one screenful of facts (≤ 10 KiB).
//!
//! `OPSDECK_UPDATE_DOCS=1 cargo test -p opsdeck --test it docs` rewrites docs/keys.md.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

const README_MAX_BYTES: u64 = 10 * 1024;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn update_wanted() -> bool {
    std::env::var("OPSDECK_UPDATE_DOCS").is_ok_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn keys_page_is_the_default_keymap_rendered() {
    let page = opsdeck_app::keymap_doc::default_markdown();
    let path = root().join(opsdeck_app::keymap_doc::KEYS_PAGE);
    if update_wanted() {
        // Written aside and renamed over: the link test, running alongside, reads this file's
        // headings and must never see it half written.
        let tmp = path.with_extension("md.tmp");
        std::fs::write(&tmp, &page).expect("write docs/keys.md.tmp");
        std::fs::rename(&tmp, &path).expect("rename it to docs/keys.md");
        eprintln!("rewrote {}", path.display());
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != page {
        let first = have
            .lines()
            .zip(page.lines())
            .position(|(a, b)| a != b)
            .map(|i| {
                format!(
                    "first difference at line {}:\n  file:      {:?}\n  generated: {:?}",
                    i + 1,
                    have.lines().nth(i).unwrap_or(""),
                    page.lines().nth(i).unwrap_or("")
                )
            })
            .unwrap_or_else(|| {
                format!(
                    "the file has {} lines, the generated page {}",
                    have.lines().count(),
                    page.lines().count()
                )
            });
        panic!(
            "{} is not what the default keymap (assets/keymap.toml) renders to; {first}\n\
             Rewrite it with: OPSDECK_UPDATE_DOCS=1 cargo test -p opsdeck --test it docs",
            path.display()
        );
    }
}

#[test]
fn readme_stays_short() {
    let size = std::fs::metadata(root().join("README.md"))
        .expect("README.md")
        .len();
    assert!(
        size <= README_MAX_BYTES,
        "README.md is {size} bytes (at most {README_MAX_BYTES}): move the detail into docs/"
    );
}

#[test]
fn every_link_stays_in_the_repo_and_resolves() {
    let files = doc_files();
    assert!(
        files.iter().any(|f| f.ends_with("docs/contracts.md")),
        "docs/ is there: {files:?}"
    );
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a doc");
        let shown = file
            .strip_prefix(root())
            .unwrap_or(file)
            .display()
            .to_string();
        let prose = without_code(&text);
        for (n, line) in prose.lines().enumerate() {
            if line.contains("http://") || line.contains("https://") {
                problems.push(format!(
                    "{shown}:{}: a web address outside code (name external things in plain text): {line}",
                    n + 1
                ));
            }
        }
        for target in links(&prose) {
            if let Err(why) = check_link(file, &target) {
                problems.push(format!("{shown}: link `{target}`: {why}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// README.md and every markdown file under docs/.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The text with fenced code blocks and inline code spans blanked out (lines kept, for numbers):
/// a URL or a bracket inside code is an example, not a link.
fn without_code(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|c| *c == '`' || *c == '~')
            .collect();
        if let Some(open) = &fence {
            if marker.len() >= open.len() && marker.starts_with(&open[..1]) {
                fence = None;
            }
            out.push('\n');
            continue;
        }
        if marker.len() >= 3 {
            fence = Some(marker);
            out.push('\n');
            continue;
        }
        out.push_str(&without_code_spans(line));
        out.push('\n');
    }
    out
}

/// Blanks `code spans` (any run of backticks closes at the same run).
fn without_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + run;
        let mut closed = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let r = chars[j..].iter().take_while(|c| **c == '`').count();
                if r == run {
                    closed = Some(j + r);
                    break;
                }
                j += r;
            } else {
                j += 1;
            }
        }
        match closed {
            Some(end) => {
                out.push_str(&" ".repeat(end - i));
                i = end;
            }
            None => {
                // An unclosed run is literal text.
                out.push_str(&"`".repeat(run));
                i += run;
            }
        }
    }
    out
}

/// Link targets: inline `[text](target)` / `![alt](target)`, reference definitions `[x]: target`
/// and autolinks `<scheme:...>`.
fn links(prose: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose.lines() {
        let t = line.trim_start();
        if t.starts_with('[')
            && let Some(close) = t.find("]:")
        {
            let rest = t[close + 2..].trim();
            if let Some(target) = rest.split_whitespace().next() {
                out.push(target.trim_matches(|c| c == '<' || c == '>').to_string());
            }
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let mut depth = 0usize;
            let mut end = None;
            for (k, c) in after.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = Some(k);
                        break;
                    }
                    ')' => depth -= 1,
                    _ => {}
                }
            }
            let Some(end) = end else { break };
            let inner = after[..end].trim();
            // `(target "title")`: the target is the first word.
            let target = inner.split_whitespace().next().unwrap_or("");
            out.push(target.trim_matches(|c| c == '<' || c == '>').to_string());
            rest = &after[end..];
        }
        let mut rest = line;
        while let Some(i) = rest.find('<') {
            let after = &rest[i + 1..];
            let Some(end) = after.find('>') else { break };
            let inner = &after[..end];
            if let Some((scheme, _)) = inner.split_once(':')
                && !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+')
                && !inner.contains(' ')
            {
                out.push(inner.to_string());
            }
            rest = &after[end..];
        }
    }
    out
}

/// A link is fine when it is relative, stays inside the repository, names a file or directory that
/// exists, and its `#anchor` (if any) is a heading of that markdown file.
fn check_link(from: &Path, target: &str) -> Result<(), String> {
    if target.is_empty() {
        return Err("empty".into());
    }
    if let Some((scheme, _)) = target.split_once(':')
        && !scheme.contains('/')
        && !scheme.contains('#')
    {
        return Err(format!(
            "`{scheme}:` points outside the repository: name it in plain text"
        ));
    }
    let (path_part, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    if path_part.starts_with('/') {
        return Err("absolute: write it relative to this file".into());
    }
    let dir = from.parent().unwrap_or(Path::new("."));
    let file = if path_part.is_empty() {
        from.to_path_buf()
    } else {
        normalize(&dir.join(path_part))
    };
    if !file.starts_with(root()) {
        return Err("leaves the repository".into());
    }
    if !file.exists() {
        return Err(format!(
            "{} does not exist",
            file.strip_prefix(root()).unwrap_or(&file).display()
        ));
    }
    if let Some(anchor) = anchor {
        if file.extension().is_none_or(|x| x != "md") {
            return Err("an anchor into a file that is not markdown".into());
        }
        let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
        let anchors = heading_anchors(&text);
        if !anchors.iter().any(|a| a == anchor) {
            return Err(format!(
                "no heading `#{anchor}` in {} (it has: {})",
                file.strip_prefix(root()).unwrap_or(&file).display(),
                anchors.join(", ")
            ));
        }
    }
    Ok(())
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The anchors of a markdown file's headings, as the common renderers make them: lower case, code
/// marks and punctuation dropped (letters, digits, `-`, `_` and spaces kept), spaces to `-`; a
/// repeated heading gets `-1`, `-2`...
fn heading_anchors(text: &str) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || !t.starts_with('#') {
            continue;
        }
        let level = t.chars().take_while(|c| *c == '#').count();
        let rest = &t[level..];
        if level > 6 || !(rest.is_empty() || rest.starts_with(' ')) {
            continue;
        }
        let title = rest.trim().trim_end_matches('#').trim();
        let slug: String = title
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let n = seen.entry(slug.clone()).or_insert(0);
        out.push(if *n == 0 {
            slug.clone()
        } else {
            format!("{slug}-{n}")
        });
        *n += 1;
    }
    out
}

#[test]
fn the_link_checker_catches_what_it_should() {
    let prose = without_code(
        "see [a](docs/a.md#x) and `[b](nope.md)` and <https://example.com>\n```\n[c](http://x)\n```\n[d]: ../e.md\n",
    );
    assert_eq!(
        links(&prose),
        vec!["docs/a.md#x", "https://example.com", "../e.md"]
    );
    let readme = root().join("README.md");
    assert!(check_link(&readme, "https://example.com").is_err());
    assert!(check_link(&readme, "mailto:someone@example.com").is_err());
    assert!(check_link(&readme, "../outside.md").is_err());
    assert!(check_link(&readme, "docs/no-such-page.md").is_err());
    assert!(check_link(&readme, "docs/contracts.md#no-such-heading").is_err());
    assert!(check_link(&readme, "docs/contracts.md").is_ok());
    assert!(check_link(&readme, "crates/app/src").is_ok());
    assert_eq!(
        heading_anchors("# Findings: `opsdeck report`\n## Keys\n## Keys\n```\n# not one\n```\n"),
        vec!["findings-opsdeck-report", "keys", "keys-1"]
    );
}
