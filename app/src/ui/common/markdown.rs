//! Markdown from users (comments, descriptions), rendered safely: the text is
//! parsed into a small tree of allowed elements and turned into DOM nodes,
//! never into an HTML string. Raw HTML shows as text, links other than
//! http(s), mailto and same-site ones show as plain text, and images show as
//! links (nothing loads from a comment). `@mentions` of members and issue
//! keys of the project become links.
//!
//! Nesting is bounded ([`MAX_DEPTH`]): the tree, its view and the rendering
//! of that view recurse once per level, so a text must not choose how deep.

use leptos::prelude::*;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::BTreeSet;

use crate::domain::{IssueKey, ProjectKey, UserName, mention_spans};

/// How deep elements may nest in the tree; deeper markup (a quote in a quote
/// in … nine thousand times) is flattened: its text stays, its wrappers go.
/// Why a cap: building the view and rendering it (leptos' HTML writer on the
/// server, the DOM in the browser) recurse once per level, and a 9,000-deep
/// comment overflowed the server's stack and aborted the process. 32 is far
/// deeper than real text nests, and stays far from the end of a 2 MiB tokio
/// worker stack (the tests render it on a 256 KiB one).
pub const MAX_DEPTH: usize = 32;

/// An element of rendered Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Text(String),
    Code(String),
    Mention(UserName),
    IssueRef(IssueKey),
    LineBreak,
    Rule,
    Task(bool),
    Element(Kind, Vec<Node>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Paragraph,
    Heading(u8),
    Quote,
    CodeBlock,
    List {
        ordered: Option<u64>,
    },
    Item,
    Emphasis,
    Strong,
    Strikethrough,
    /// A link with a vetted address.
    Link(String),
    /// Anything else (tables, footnotes…): its content without a wrapper.
    Plain,
}

/// What a text may refer to: the members `@mentions` resolve to, and the
/// project whose issue keys become links.
pub struct Context<'a> {
    pub members: &'a BTreeSet<UserName>,
    pub project: &'a ProjectKey,
}

/// A link target that cannot run script or leave the scheme allow-list.
fn safe_href(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let allowed = ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
        || (url.starts_with('/') && !url.starts_with("//"))
        || url.starts_with('#');
    allowed.then(|| url.to_owned())
}

/// Splits text into plain runs, member mentions and issue keys.
fn inline_text(text: &str, cx: &Context) -> Vec<Node> {
    let mut nodes = Vec::new();
    let mut rest_from = 0;
    for (range, user) in mention_spans(text) {
        if !cx.members.contains(&user) {
            continue;
        }
        nodes.extend(issue_refs(&text[rest_from..range.start], cx));
        nodes.push(Node::Mention(user));
        rest_from = range.end;
    }
    nodes.extend(issue_refs(&text[rest_from..], cx));
    nodes
}

/// Text with the project's issue keys (`ABC-12`) as references.
fn issue_refs(text: &str, cx: &Context) -> Vec<Node> {
    let prefix = format!("{}-", cx.project);
    let mut nodes = Vec::new();
    let mut plain = String::new();
    let mut i = 0;
    while i < text.len() {
        let starts_word = text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if starts_word && text[i..].starts_with(&prefix) {
            let digits = text[i + prefix.len()..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            let end = i + prefix.len() + digits;
            if let (true, Ok(key)) = (digits > 0, IssueKey::parse(&text[i..end])) {
                if !plain.is_empty() {
                    nodes.push(Node::Text(std::mem::take(&mut plain)));
                }
                nodes.push(Node::IssueRef(key));
                i = end;
                continue;
            }
        }
        let c = text[i..].chars().next().expect("inside the text");
        plain.push(c);
        i += c.len_utf8();
    }
    if !plain.is_empty() {
        nodes.push(Node::Text(plain));
    }
    nodes
}

fn kind_of(tag: Tag) -> Kind {
    match tag {
        // An HTML block is shown as the text it is.
        Tag::Paragraph | Tag::HtmlBlock => Kind::Paragraph,
        Tag::Heading { level, .. } => Kind::Heading(match level {
            HeadingLevel::H1 => 1,
            HeadingLevel::H2 => 2,
            HeadingLevel::H3 => 3,
            HeadingLevel::H4 => 4,
            HeadingLevel::H5 => 5,
            HeadingLevel::H6 => 6,
        }),
        Tag::BlockQuote(_) => Kind::Quote,
        Tag::CodeBlock(CodeBlockKind::Fenced(_) | CodeBlockKind::Indented) => Kind::CodeBlock,
        Tag::List(start) => Kind::List { ordered: start },
        Tag::Item => Kind::Item,
        Tag::Emphasis => Kind::Emphasis,
        Tag::Strong => Kind::Strong,
        Tag::Strikethrough => Kind::Strikethrough,
        Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
            safe_href(&dest_url).map_or(Kind::Plain, Kind::Link)
        }
        _ => Kind::Plain,
    }
}

/// Whether the end of a flattened element should still end its line.
fn ends_a_line(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::Item
    )
}

/// The tree of `source`, at most [`MAX_DEPTH`] elements deep.
pub fn parse(source: &str, cx: &Context) -> Vec<Node> {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // The open elements; the bottom one collects the top level.
    let mut stack: Vec<(Kind, Vec<Node>)> = vec![(Kind::Plain, Vec::new())];
    // Elements opened deeper than MAX_DEPTH: only counted, so that their
    // ends are told apart from the ends of the elements in the tree.
    let mut flattened: usize = 0;
    let mut in_code_block = false;
    for event in Parser::new_ext(source, options) {
        let top = &mut stack.last_mut().expect("the root stays").1;
        match event {
            Event::Start(tag) => {
                let kind = kind_of(tag);
                in_code_block |= kind == Kind::CodeBlock;
                // The root is not an element: `stack.len() - 1` are open.
                if stack.len() > MAX_DEPTH {
                    flattened += 1;
                } else {
                    stack.push((kind, Vec::new()));
                }
            }
            Event::End(end) => {
                in_code_block &= end != TagEnd::CodeBlock;
                if flattened > 0 {
                    flattened -= 1;
                    let at_line_start = top.last().is_none_or(|n| *n == Node::LineBreak);
                    if ends_a_line(end) && !at_line_start {
                        top.push(Node::LineBreak);
                    }
                } else if stack.len() > 1 {
                    close_innermost(&mut stack);
                }
            }
            Event::Text(text) if in_code_block => top.push(Node::Text(text.into_string())),
            Event::Text(text) => top.extend(inline_text(&text, cx)),
            Event::Code(code) => top.push(Node::Code(code.into_string())),
            // Raw HTML is text, shown as typed.
            Event::Html(html) | Event::InlineHtml(html) => top.push(Node::Text(html.into_string())),
            Event::InlineMath(math) | Event::DisplayMath(math) => {
                top.push(Node::Code(math.into_string()))
            }
            Event::SoftBreak => top.push(Node::Text(" ".into())),
            Event::HardBreak => top.push(Node::LineBreak),
            Event::Rule => top.push(Node::Rule),
            Event::TaskListMarker(done) => top.push(Node::Task(done)),
            Event::FootnoteReference(name) => top.push(Node::Text(format!("[^{name}]"))),
        }
    }
    // pulldown-cmark closes every element it opens; should one stay open,
    // its content is kept all the same.
    while stack.len() > 1 {
        close_innermost(&mut stack);
    }
    stack.swap_remove(0).1
}

/// Ends the innermost open element: it joins its parent's children.
fn close_innermost(stack: &mut Vec<(Kind, Vec<Node>)>) {
    let (kind, children) = stack.pop().expect("an open element");
    stack
        .last_mut()
        .expect("the root stays")
        .1
        .push(Node::Element(kind, children));
}

fn render_all(nodes: Vec<Node>) -> AnyView {
    nodes.into_iter().map(render).collect_view().into_any()
}

fn render(node: Node) -> AnyView {
    match node {
        Node::Text(t) => t.into_any(),
        Node::Code(c) => view! { <code>{c}</code> }.into_any(),
        Node::Mention(u) => {
            view! { <span class="mention" data-user=u.to_string()>{format!("@{u}")}</span> }
                .into_any()
        }
        Node::IssueRef(k) => {
            let href = format!("/p/{}/issues/{k}", k.project);
            view! { <a class="issue-ref" href=href>{k.to_string()}</a> }.into_any()
        }
        Node::LineBreak => view! { <br /> }.into_any(),
        Node::Rule => view! { <hr /> }.into_any(),
        Node::Task(done) => {
            view! { <input type="checkbox" disabled=true checked=done aria-label="task" /> }
                .into_any()
        }
        Node::Element(kind, children) => element(kind, render_all(children)),
    }
}

fn element(kind: Kind, inner: AnyView) -> AnyView {
    match kind {
        Kind::Paragraph => view! { <p>{inner}</p> }.into_any(),
        Kind::Heading(1) => view! { <h3>{inner}</h3> }.into_any(),
        Kind::Heading(2) => view! { <h4>{inner}</h4> }.into_any(),
        Kind::Heading(_) => view! { <h5>{inner}</h5> }.into_any(),
        Kind::Quote => view! { <blockquote>{inner}</blockquote> }.into_any(),
        Kind::CodeBlock => view! { <pre><code>{inner}</code></pre> }.into_any(),
        Kind::List { ordered: None } => view! { <ul>{inner}</ul> }.into_any(),
        Kind::List {
            ordered: Some(start),
        } => view! { <ol start=start>{inner}</ol> }.into_any(),
        Kind::Item => view! { <li>{inner}</li> }.into_any(),
        Kind::Emphasis => view! { <em>{inner}</em> }.into_any(),
        Kind::Strong => view! { <strong>{inner}</strong> }.into_any(),
        Kind::Strikethrough => view! { <del>{inner}</del> }.into_any(),
        Kind::Link(href) => {
            view! { <a href=href rel="nofollow noopener noreferrer" target="_blank">{inner}</a> }
                .into_any()
        }
        Kind::Plain => inner,
    }
}

/// User Markdown as DOM nodes, inside `<div class="markdown">`.
#[component]
pub fn Markdown(source: String, members: BTreeSet<UserName>, project: ProjectKey) -> impl IntoView {
    let cx = Context {
        members: &members,
        project: &project,
    };
    let nodes = parse(&source, &cx);
    view! { <div class="markdown">{render_all(nodes)}</div> }
}

#[cfg(test)]
mod hostile_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(source: &str) -> Vec<Node> {
        let members: BTreeSet<UserName> = [UserName::parse("bob").unwrap()].into();
        let project = ProjectKey::parse("ABC").unwrap();
        parse(
            source,
            &Context {
                members: &members,
                project: &project,
            },
        )
    }

    fn text(t: &str) -> Node {
        Node::Text(t.into())
    }

    fn para(children: Vec<Node>) -> Node {
        Node::Element(Kind::Paragraph, children)
    }

    #[test]
    fn raw_html_and_script_links_stay_text() {
        assert_eq!(
            tree("<script>alert(1)</script>"),
            [para(vec![text("<script>alert(1)</script>")])]
        );
        assert_eq!(
            tree("hi <img src=x onerror=alert(1)>"),
            [para(vec![
                text("hi "),
                text("<img src=x onerror=alert(1)>")
            ])]
        );
        for bad in [
            "[x](javascript:alert(1))",
            "[x](JavaScript:alert(1))",
            "[x](data:text/html,hi)",
            "[x](//evil.example)",
        ] {
            assert_eq!(
                tree(bad),
                [para(vec![Node::Element(Kind::Plain, vec![text("x")])])],
                "{bad}"
            );
        }
        assert_eq!(
            tree("[site](https://example.com/a)"),
            [para(vec![Node::Element(
                Kind::Link("https://example.com/a".into()),
                vec![text("site")]
            )])]
        );
    }

    #[test]
    fn emphasis_code_lists_and_blocks_parse() {
        assert_eq!(
            tree("**bold** _it_ ~~no~~ `x<y`"),
            [para(vec![
                Node::Element(Kind::Strong, vec![text("bold")]),
                text(" "),
                Node::Element(Kind::Emphasis, vec![text("it")]),
                text(" "),
                Node::Element(Kind::Strikethrough, vec![text("no")]),
                text(" "),
                Node::Code("x<y".into()),
            ])]
        );
        assert_eq!(
            tree("- [x] done\n- two"),
            [Node::Element(
                Kind::List { ordered: None },
                vec![
                    Node::Element(Kind::Item, vec![Node::Task(true), text("done")]),
                    Node::Element(Kind::Item, vec![text("two")]),
                ]
            )]
        );
        assert_eq!(
            tree("```\n@bob <b>\n```"),
            [Node::Element(Kind::CodeBlock, vec![text("@bob <b>\n")])]
        );
    }

    #[test]
    fn members_and_issue_keys_become_references() {
        assert_eq!(
            tree("@bob see ABC-12, not @zed or XABC-1 or ABC-x"),
            [para(vec![
                Node::Mention(UserName::parse("bob").unwrap()),
                text(" see "),
                Node::IssueRef(IssueKey::parse("ABC-12").unwrap()),
                text(", not @zed or XABC-1 or ABC-x"),
            ])]
        );
    }
}
