use serde_json::{Value, json};

use super::check::{AnswerCheck, Cell, check_answer};
use super::native::{SchemaDelivery, instruction};
use super::*;
use crate::model::{InvocationType, ModelId};

fn extract() -> AnswerShape {
    AnswerShape::Extract {
        fields: vec![
            AnswerField::new("sentiment", FieldKind::OneOf(vec!["positive".into(), "negative".into()]), "overall tone"),
            AnswerField::new("confidence", FieldKind::Number, "0 to 1"),
            AnswerField::new("stars", FieldKind::Integer, ""),
            AnswerField::new("refund", FieldKind::Boolean, ""),
            AnswerField::new("ordered_on", FieldKind::Date, ""),
            AnswerField::new("products", FieldKind::TextList, ""),
            AnswerField::new("summary", FieldKind::Text, ""),
        ],
    }
}

fn valid(shape: &AnswerShape, text: &str) -> Vec<Cell> {
    match check_answer(shape, text, Some("end_turn")) {
        AnswerCheck::Valid(cells) => cells,
        other => panic!("{text}: {other:?}"),
    }
}

fn invalid(shape: &AnswerShape, text: &str) -> String {
    match check_answer(shape, text, None) {
        AnswerCheck::Invalid(reason) => reason,
        other => panic!("{text}: expected invalid, got {other:?}"),
    }
}

const GOOD: &str = r#"{"sentiment": "negative", "confidence": 0.8, "stars": 2, "refund": true, "ordered_on": "2024-02-29", "products": ["kettle", "mug"], "summary": "late"}"#;

#[test]
fn every_field_type_becomes_a_typed_cell() {
    let cells = valid(&extract(), GOOD);
    assert_eq!(
        cells,
        [
            Cell::Text("negative".into()),
            Cell::Number(0.8),
            Cell::Integer(2),
            Cell::Boolean(true),
            Cell::Date("2024-02-29".into()),
            Cell::List(vec!["kettle".into(), "mug".into()]),
            Cell::Text("late".into()),
        ]
    );
    // 2.0 is a whole number; an empty list is a list.
    let whole = GOOD.replace("\"stars\": 2", "\"stars\": 2.0").replace(r#"["kettle", "mug"]"#, "[]");
    let cells = valid(&extract(), &whole);
    assert_eq!((&cells[2], &cells[5]), (&Cell::Integer(2), &Cell::List(vec![])));
}

#[test]
fn answers_wrapped_in_prose_or_code_fences_are_found() {
    let fenced = format!("Here is the JSON:\n```json\n{GOOD}\n```\nHope this helps.");
    let prose = format!("Sure! {GOOD} Let me know.");
    assert_eq!(valid(&extract(), &fenced), valid(&extract(), GOOD));
    assert_eq!(valid(&extract(), &prose), valid(&extract(), GOOD));
}

#[test]
fn an_answer_that_does_not_fit_says_which_field_and_what_was_wrong() {
    let shape = extract();
    let cases = [
        (
            GOOD.replace("\"negative\"", "\"angry\""),
            "field `sentiment`: expected one of positive, negative, got \"angry\"",
        ),
        (GOOD.replace("0.8", "\"high\""), "field `confidence`: expected a number, got \"high\""),
        (GOOD.replace("\"stars\": 2", "\"stars\": 2.5"), "field `stars`: expected a whole number, got 2.5"),
        (GOOD.replace("true", "\"yes\""), "field `refund`: expected true or false, got \"yes\""),
        (
            GOOD.replace("2024-02-29", "2023-02-29"),
            "field `ordered_on`: expected a date (YYYY-MM-DD), got \"2023-02-29\"",
        ),
        (GOOD.replace("\"mug\"", "3"), "field `products`: item 2: expected text, got 3"),
        (GOOD.replace(", \"summary\": \"late\"", ""), "field `summary`: missing"),
        (GOOD.replace("\"late\"", "null"), "field `summary`: null, but a value is required"),
        (GOOD.replace("}", ", \"mood\": \"bad\"}"), "unexpected field `mood`"),
        ("no JSON here".to_string(), "the answer holds no JSON object"),
        ("[1, 2]".to_string(), "the answer holds no JSON object"),
        ("{\"sentiment\": }".to_string(), "the answer's JSON does not parse"),
    ];
    for (text, reason) in cases {
        let got = invalid(&shape, &text);
        assert!(got.starts_with(reason), "{text}: {got}");
    }
}

#[test]
fn cut_off_and_empty_answers_are_told_apart_from_invalid_ones() {
    let shape = extract();
    let cut = &GOOD[..40];
    assert_eq!(check_answer(&shape, cut, Some("max_tokens")), AnswerCheck::Truncated);
    assert_eq!(check_answer(&shape, cut, Some("length")), AnswerCheck::Truncated);
    assert_eq!(check_answer(&shape, "  \n", Some("end_turn")), AnswerCheck::Empty);
    assert!(matches!(check_answer(&shape, cut, Some("end_turn")), AnswerCheck::Invalid(_)));
}

#[test]
fn classify_gives_one_label_or_several_with_other_offered() {
    let labels = vec!["billing".to_string(), "shipping".to_string()];
    let single = AnswerShape::Classify { labels: labels.clone(), multi: false, other: true };
    assert_eq!(
        single.json_schema().unwrap(),
        json!({"type": "object", "properties": {"label": {"type": "string", "enum": ["billing", "shipping", "other"],
            "description": "the label that fits best"}}, "required": ["label"], "additionalProperties": false})
    );
    assert_eq!(valid(&single, r#"{"label": "other"}"#), [Cell::Text("other".into())]);
    let multi = AnswerShape::Classify { labels, multi: true, other: false };
    assert_eq!(multi.columns()[0].name, "labels");
    assert_eq!(
        valid(&multi, r#"{"labels": ["billing", "shipping"]}"#),
        [Cell::List(vec!["billing".into(), "shipping".into()])]
    );
    let reason = invalid(&multi, r#"{"labels": ["billing", "other"]}"#);
    assert_eq!(reason, "field `labels`: item 2: expected one of billing, shipping, got \"other\"");
}

#[test]
fn a_user_schema_gives_its_columns_and_is_checked_as_written() {
    let schema = json!({
        "type": "object",
        "properties": {
            "company": {"type": "string", "description": "who"},
            "amount": {"type": ["number", "null"]},
            "when": {"type": "string", "format": "date"},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
            "address": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
        "required": ["company", "amount"],
    });
    let shape = AnswerShape::Schema { schema: schema.clone() };
    shape.validate().unwrap();
    assert_eq!(shape.json_schema(), Some(schema), "passed on as written");
    let kinds: Vec<(String, FieldKind, bool, bool)> =
        shape.columns().into_iter().map(|c| (c.name, c.kind, c.required, c.nullable)).collect();
    assert_eq!(
        kinds,
        [
            ("company".into(), FieldKind::Text, true, false),
            ("amount".into(), FieldKind::Number, true, true),
            ("when".into(), FieldKind::Date, false, false),
            ("tags".into(), FieldKind::SomeOf(vec!["a".into(), "b".into()]), false, false),
            ("address".into(), FieldKind::Json, false, false),
        ]
    );
    // Optional fields may be absent, a nullable one null; nested values are kept as JSON; extra fields are
    // allowed unless the schema closes the object.
    let cells = valid(&shape, r#"{"company": "Acme", "amount": null, "address": {"city": "Oslo"}, "note": "x"}"#);
    assert_eq!(
        cells,
        [Cell::Text("Acme".into()), Cell::Null, Cell::Null, Cell::Null, Cell::Json(r#"{"city":"Oslo"}"#.into())]
    );
    let mut closed = shape.json_schema().unwrap();
    closed["additionalProperties"] = Value::Bool(false);
    let closed = AnswerShape::Schema { schema: closed };
    assert_eq!(invalid(&closed, r#"{"company": "Acme", "amount": 1, "note": "x"}"#), "unexpected field `note`");
}

#[test]
fn shapes_that_cannot_run_say_why() {
    let no_labels = AnswerShape::Classify { labels: vec![" ".into()], multi: false, other: false };
    assert!(matches!(no_labels.validate(), Err(ShapeError::Empty(_))));
    let twice = AnswerShape::Classify { labels: vec!["a".into(), "a ".into()], multi: false, other: false };
    assert_eq!(twice.validate(), Err(ShapeError::Duplicate("a".into())));
    let reserved = AnswerShape::Extract { fields: vec![AnswerField::new("status", FieldKind::Text, "")] };
    assert_eq!(reserved.validate(), Err(ShapeError::BadName("status".into())));
    let spaced = AnswerShape::Extract { fields: vec![AnswerField::new("due date", FieldKind::Date, "")] };
    assert!(matches!(spaced.validate(), Err(ShapeError::BadName(_))));
    let array = AnswerShape::Schema { schema: json!({"type": "array", "items": {"type": "string"}}) };
    assert!(matches!(array.validate(), Err(ShapeError::NotAnObject(_))));
    assert!(AnswerShape::FreeText.validate().is_ok() && AnswerShape::FreeText.json_schema().is_none());
    assert!(extract().validate().is_ok());
}

#[test]
fn the_schema_goes_where_each_model_and_invocation_type_takes_it() {
    let model = |id: &str| ModelId::parse(id).unwrap();
    let haiku = model("us.anthropic.claude-haiku-4-5-20251001-v1:0");
    let old_claude = model("anthropic.claude-3-haiku-20240307-v1:0");
    let gpt_oss = model("openai.gpt-oss-120b-1:0");
    let nova = model("amazon.nova-lite-v1:0");
    use InvocationType::{Converse, InvokeModel};
    assert_eq!(SchemaDelivery::for_model(&haiku, Converse), SchemaDelivery::ConverseOutputConfig);
    assert_eq!(SchemaDelivery::for_model(&haiku, InvokeModel), SchemaDelivery::ClaudeOutputConfig);
    assert_eq!(SchemaDelivery::for_model(&gpt_oss, Converse), SchemaDelivery::ConverseOutputConfig);
    assert_eq!(SchemaDelivery::for_model(&gpt_oss, InvokeModel), SchemaDelivery::ResponseFormat);
    assert_eq!(SchemaDelivery::for_model(&old_claude, InvokeModel), SchemaDelivery::Instruction);
    assert_eq!(SchemaDelivery::for_model(&nova, Converse), SchemaDelivery::Instruction);

    let schema = extract().json_schema().unwrap();
    // Converse: the shape of the service model's OutputConfig (type json_schema, the schema as a string).
    let mut converse = json!({"messages": [], "inferenceConfig": {"maxTokens": 100}});
    SchemaDelivery::ConverseOutputConfig.apply(&mut converse, &schema);
    let format = &converse["outputConfig"]["textFormat"];
    assert_eq!(format["type"], "json_schema");
    let sent: Value = serde_json::from_str(format["structure"]["jsonSchema"]["schema"].as_str().unwrap()).unwrap();
    assert_eq!(sent, schema);
    // Claude's body: output_config.format with the schema as an object (the documented form).
    let mut claude = json!({"anthropic_version": "bedrock-2023-05-31", "messages": []});
    SchemaDelivery::ClaudeOutputConfig.apply(&mut claude, &schema);
    assert_eq!(claude["output_config"], json!({"format": {"type": "json_schema", "schema": schema}}));
    // Open weights: response_format as OpenAI's chat API takes it.
    let mut open = json!({"messages": []});
    SchemaDelivery::ResponseFormat.apply(&mut open, &schema);
    assert_eq!(open["response_format"]["json_schema"]["schema"], schema);
    // An instruction changes the prompt, not the body.
    let mut plain = json!({"messages": []});
    SchemaDelivery::Instruction.apply(&mut plain, &schema);
    assert_eq!(plain, json!({"messages": []}));
    assert!(instruction(&schema).contains("\"sentiment\""));
}

#[test]
fn shapes_are_saved_and_read_back_as_json() {
    let shape = extract();
    let text = serde_json::to_string(&shape).unwrap();
    assert!(text.contains("\"shape\":\"extract\"") && text.contains("\"kind\":\"one_of\""), "{text}");
    assert_eq!(serde_json::from_str::<AnswerShape>(&text).unwrap(), shape);
    let written = r#"{"shape": "classify", "labels": ["a", "b"]}"#;
    assert_eq!(
        serde_json::from_str::<AnswerShape>(written).unwrap(),
        AnswerShape::Classify { labels: vec!["a".into(), "b".into()], multi: false, other: false }
    );
}
