//! Template tests: placeholders, literal insertion, Jinja features and errors with suggestions.

use super::*;

fn headers() -> Vec<String> {
    ["id", "Review Text", "rating", "product-name", "title"].map(String::from).to_vec()
}

fn row(cells: &[&str]) -> Row {
    Row::from_cells(7, cells.iter().copied())
}

fn render(source: &str, cells: &[&str]) -> String {
    PromptTemplate::compile(source, &headers(), TemplateRole::Prompt).unwrap().render(&row(cells)).unwrap()
}

#[test]
fn placeholders_match_headers_with_spaces_inside_the_braces() {
    let cells = ["1", "Great kettle", "5", "Aero", "Yay"];
    assert_eq!(render("{{id}}|{{ Review Text }}|{{  rating  }}|{{product-name}}", &cells), "1|Great kettle|5|Aero");
    let template = PromptTemplate::compile("{{ Review Text }}", &headers(), TemplateRole::Prompt).unwrap();
    assert!(!template.uses_jinja(), "plain placeholders need no engine");
    assert_eq!(template.columns(), &[1]);
}

#[test]
fn cell_text_is_inserted_literally() {
    let nasty = "{{ title }} {% if true %}X{% endif %} \"}]} \\n \n";
    for source in ["Text: {{ Review Text }}", "{% if rating %}Text: {{ row[\"Review Text\"] }}{% endif %}"] {
        let out = render(source, &["1", nasty, "5", "p", "SHOULD NOT APPEAR"]);
        assert_eq!(out, format!("Text: {nasty}"), "source {source}");
    }
}

#[test]
fn jinja_filters_and_conditionals_work() {
    let cells = ["1", "meh", "2", "Aero", "Low"];
    assert_eq!(render("{% if rating | int <= 2 %}LOW{% else %}OK{% endif %} {{ title | upper }}", &cells), "LOW LOW");
    assert_eq!(render("{{ row[\"product-name\"] | lower }}", &cells), "aero");
    let with_spaces = render("{{ Review Text }} / {{ title | lower }}", &cells);
    assert_eq!(with_spaces, "meh / low", "non-identifier placeholders still work beside Jinja");
}

#[test]
fn unknown_columns_suggest_the_closest_header() {
    let err = PromptTemplate::compile("{{ review text }}", &headers(), TemplateRole::Prompt).unwrap_err();
    assert_eq!(
        err,
        TemplateError::UnknownColumn {
            which: "prompt",
            name: "review text".into(),
            suggestion: Some("Review Text".into()),
            available: "\"id\", \"Review Text\", \"rating\", \"product-name\", \"title\"".into(),
        }
    );
    let err = PromptTemplate::compile("{{ ratng | int }}", &headers(), TemplateRole::System).unwrap_err();
    assert!(
        matches!(&err, TemplateError::UnknownColumn { name, suggestion: Some(s), which: "system", .. } if name == "ratng" && s == "rating"),
        "{err}"
    );
    let err = PromptTemplate::compile("{{ zzzz }}", &headers(), TemplateRole::Prompt).unwrap_err();
    assert!(matches!(err, TemplateError::UnknownColumn { suggestion: None, .. }));
}

#[test]
fn syntax_and_render_errors_are_reported() {
    let err = PromptTemplate::compile("{% if %}", &headers(), TemplateRole::Prompt).unwrap_err();
    assert!(matches!(err, TemplateError::Syntax { .. }), "{err}");
    let template = PromptTemplate::compile("{{ row[\"nope\"] }}", &headers(), TemplateRole::Prompt).unwrap();
    let err = template.render(&row(&["1", "a", "2", "p", "t"])).unwrap_err();
    assert!(matches!(err, TemplateError::Render { row: 7, .. }), "{err}");
}

#[test]
fn one_trailing_newline_of_a_template_file_is_dropped() {
    assert_eq!(render("Hi {{id}}\n", &["1", "", "", "", ""]), "Hi 1");
    assert_eq!(render("Hi {{id}}\n\n", &["1", "", "", "", ""]), "Hi 1\n");
    assert_eq!(render("{% if id %}Hi {{id}}{% endif %}\n", &["1", "", "", "", ""]), "Hi 1");
}

#[test]
fn empty_templates_are_refused() {
    assert_eq!(
        PromptTemplate::compile(" \n", &headers(), TemplateRole::Prompt).unwrap_err(),
        TemplateError::Empty { which: "prompt" }
    );
}

fn render_error(source: &str) -> TemplateError {
    let template = PromptTemplate::compile(source, &headers(), TemplateRole::Prompt).unwrap();
    template.render(&row(&["1", "text", "5", "p", "t"])).unwrap_err()
}

#[test]
fn a_row_has_a_step_budget_and_a_prompt_size_budget() {
    // Nested loops that would run for minutes stop at the step budget, naming the row and the line.
    let loops = "Intro\n{% for a in range(100000) %}{% for b in range(100000) %}{{ title }}{% endfor %}{% endfor %}";
    let error = render_error(loops).to_string();
    assert!(error.contains("row 7") && error.contains("steps were not enough") && error.contains("line 2"), "{error}");
    // One expression that builds 20 MB of text stops at the size budget.
    let error = render_error("{{ title * 20000000 }}").to_string();
    assert!(error.contains("row 7") && error.contains("grows past 16 MB"), "{error}");
    // Ordinary loops over the row are well within it.
    let listed =
        render("{% for name, value in row|items %}{{ name }}={{ value }};{% endfor %}", &["1", "a", "5", "p", "t"]);
    assert_eq!(listed, "Review Text=a;id=1;product-name=p;rating=5;title=t;", "by name");
}

#[test]
fn statements_that_bind_values_and_namespace_are_refused_with_their_line() {
    let compile =
        |source: &str| PromptTemplate::compile(source, &headers(), TemplateRole::Prompt).unwrap_err().to_string();
    let doubling = "Hi\n{% set ns = namespace(s=title) %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}";
    let error = compile(doubling);
    assert!(error.contains("line 2: `{% set %}` is not supported"), "{error}");
    let error = compile("A\nB\n{{ namespace(x=1) }}");
    assert!(error.contains("line 3: `namespace()` is not supported"), "{error}");
    for statement in
        ["{%- with a = title %}{{ a }}{% endwith %}", "{% macro m() %}x{% endmacro %}", "{% include 'x' %}"]
    {
        assert!(compile(statement).contains("is not supported in prompt templates"), "{statement}");
    }
    // Text that merely mentions the words is fine.
    assert_eq!(render("set the namespace of {{ title }}", &["1", "a", "5", "p", "t"]), "set the namespace of t");
}
