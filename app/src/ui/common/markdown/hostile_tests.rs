//! Hostile Markdown: deep nesting, huge lines, thousands of links and
//! mentions. The tree stays at most [`MAX_DEPTH`] deep and keeps the text;
//! parsing, building the view and (with `ssr`, as the server does) writing
//! its HTML all run on a 256 KiB stack, so none of them recurses as deep as
//! the input nests.

use proptest::prelude::*;

use super::*;

/// Runs `f` on a thread with a 256 KiB stack, where a recursion that input
/// deepens overflows long before it would on a worker's 2 MiB.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("the thread ends without a panic")
}

/// The tree of `source` and, with the `ssr` feature, the HTML the server
/// writes for the `Markdown` component; both made on a small stack.
fn rendered(source: String) -> (Vec<Node>, Option<String>) {
    on_small_stack(move || {
        let members: BTreeSet<UserName> = [UserName::parse("bob").unwrap()].into();
        let project = ProjectKey::parse("ABC").unwrap();
        let cx = Context {
            members: &members,
            project: &project,
        };
        let nodes = parse(&source, &cx);
        #[cfg(feature = "ssr")]
        let html = Some(
            view! { <Markdown source=source members=members.clone() project=project.clone() /> }
                .to_html(),
        );
        #[cfg(not(feature = "ssr"))]
        let html = None;
        (nodes, html)
    })
}

/// How deep elements nest in `nodes` (counted without recursing).
fn depth(nodes: &[Node]) -> usize {
    let mut deepest = 0;
    let mut open: Vec<(&Node, usize)> = nodes.iter().map(|n| (n, 0)).collect();
    while let Some((node, above)) = open.pop() {
        if let Node::Element(_, children) = node {
            deepest = deepest.max(above + 1);
            open.extend(children.iter().map(|c| (c, above + 1)));
        }
    }
    deepest
}

/// The text of `nodes`, in order (collected without recursing).
fn text_of(nodes: &[Node]) -> String {
    let mut text = String::new();
    let mut next: Vec<&Node> = nodes.iter().rev().collect();
    while let Some(node) = next.pop() {
        match node {
            Node::Text(t) | Node::Code(t) => text.push_str(t),
            Node::Mention(u) => text.push_str(&format!("@{u}")),
            Node::IssueRef(k) => text.push_str(&k.to_string()),
            Node::Element(_, children) => next.extend(children.iter().rev()),
            Node::LineBreak | Node::Rule | Node::Task(_) => text.push('\n'),
        }
    }
    text
}

/// Checks the tree's depth and that `word` survives into the tree and the HTML.
fn renders_flat_with(source: String, word: &str) {
    let shown = source.chars().take(24).collect::<String>();
    let (nodes, html) = rendered(source);
    assert!(depth(&nodes) <= MAX_DEPTH, "{shown}…: {}", depth(&nodes));
    assert!(text_of(&nodes).contains(word), "{shown}…");
    if let Some(html) = html {
        let escaped = word.replace('<', "&lt;").replace('>', "&gt;");
        assert!(html.contains(&escaped), "{shown}…");
    }
}

#[test]
fn the_reported_comment_renders_as_nested_quotes_then_text() {
    renders_flat_with(format!("{}word", ">".repeat(9_000)), "word");
}

#[test]
fn a_hundred_thousand_levels_of_any_nesting_render_flattened() {
    let n = 100_000;
    for opener in [
        "> ", ">", "- ", "* ", "+ ", "1. ", "*", "_", "**", "[", "> - ", "- > ", "1) ",
    ] {
        renders_flat_with(format!("{}deepword", opener.repeat(n)), "deepword");
    }
    // Closed as deeply as they were opened. (A line of `~~~` is a code
    // fence, not strikethrough: it is in the mixes below.)
    for (open, close) in [
        ("*", "*"),
        ("**", "**"),
        ("_", "_"),
        ("[", "](https://example.com)"),
        ("[", "]"),
        ("*[", "](/a)*"),
        ("**_~~", "~~_**"),
    ] {
        let source = format!("{}deepword{}", open.repeat(n), close.repeat(n));
        renders_flat_with(source, "deepword");
    }
    // Each line one level deeper than the one before.
    let lines: String = (0..1_000)
        .map(|i| format!("{}- item{i}\n", "  ".repeat(i)))
        .collect();
    renders_flat_with(lines, "item999");
    let lines: String = (1..=1_000)
        .map(|i| format!("{} q{i}\n", ">".repeat(i)))
        .collect();
    renders_flat_with(lines, "q1000");
}

#[test]
fn nesting_is_kept_up_to_the_limit_and_flattened_beyond_it() {
    // 31 quotes and their paragraph: MAX_DEPTH elements, all kept.
    let (nodes, html) = rendered(format!("{}word", "> ".repeat(MAX_DEPTH - 1)));
    assert_eq!(depth(&nodes), MAX_DEPTH);
    if let Some(html) = html {
        assert_eq!(html.matches("<blockquote>").count(), MAX_DEPTH - 1);
        assert!(html.contains("<p>word"), "{html}");
    }
    // Deeper, the wrappers go and the text stays, as plain text.
    let quotes = "> ".repeat(40);
    let (nodes, html) = rendered(format!("{quotes}**word** @bob\n{quotes}\n{quotes}next"));
    assert_eq!(depth(&nodes), MAX_DEPTH);
    assert!(text_of(&nodes).contains("word @bob\nnext"), "{nodes:?}");
    if let Some(html) = html {
        assert_eq!(html.matches("<blockquote>").count(), MAX_DEPTH);
        assert!(
            !html.contains("<strong>") && !html.contains("<p>"),
            "{html}"
        );
        assert!(html.contains("word"), "{html}");
        assert!(
            html.contains("class=\"mention\""),
            "mentions are not nesting"
        );
    }
}

#[test]
fn huge_lines_and_thousands_of_links_and_mentions_render() {
    renders_flat_with("a".repeat(1_000_000), "aaaa");
    renders_flat_with("word ".repeat(200_000), "word word");
    renders_flat_with("[l](https://example.com/a) ".repeat(5_000), "l");
    renders_flat_with("@bob ".repeat(5_000), "@bob");
    renders_flat_with("ABC-1 ".repeat(5_000), "ABC-1");
    renders_flat_with("<b>".repeat(20_000), "<b>");
    renders_flat_with(
        "> - [x](https://e.test) @bob **ABC-2** `c`\n".repeat(3_000),
        "ABC-2",
    );
}

/// Pieces of hostile Markdown: a fragment repeated up to 2,000 times.
fn piece() -> impl Strategy<Value = String> {
    let fragment = prop::sample::select(
        &[
            "> ",
            ">",
            "- ",
            "* ",
            "1. ",
            "*",
            "_",
            "**",
            "__",
            "[",
            "]",
            "](https://x.test)",
            "(",
            ")",
            "~~",
            "`",
            "```\n",
            "\n",
            "\n\n",
            "  ",
            "    ",
            "@bob",
            " @bob ",
            "ABC-1",
            "<b>",
            "</b>",
            "# ",
            "| a |\n|-|\n",
            "word",
            " ",
            "![i](/x)",
            "---\n",
            "- [ ] ",
            "\\",
            "&amp;",
            "[^1]",
            "<script>",
            "]: /u\n",
        ][..],
    );
    (fragment, 1usize..2_000).prop_map(|(f, n)| f.repeat(n))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_markdown_renders_on_a_small_stack(
        pieces in prop::collection::vec(piece(), 1..12),
    ) {
        let (nodes, html) = rendered(pieces.concat());
        prop_assert!(depth(&nodes) <= MAX_DEPTH);
        if let Some(html) = html {
            // Raw HTML is shown as text, never as markup.
            prop_assert!(!html.contains("<b>") && !html.contains("<script>"));
        }
    }
}
