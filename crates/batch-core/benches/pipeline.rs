//! Micro-benchmarks of the core's per-row hot paths and of prepare and results end to end on 20,000 rows.
//! Run with `cargo bench -p batch-core --bench pipeline` (benches/run.sh runs it too).

use std::hint::black_box;
use std::time::Duration;

use batch_core::model::ModelId;
use batch_core::prepare::{PrepareRequest, prepare};
use batch_core::pricing::PriceTable;
use batch_core::progress::NoProgress;
use batch_core::records::{InferenceParams, RecordBuilder};
use batch_core::results::{ResultsRequest, join_results, parse_line};
use batch_core::sandbox_model::{OutputFaults, write_sandbox_outputs};
use batch_core::sheet::{Row, SheetOptions};
use batch_core::template::{PromptTemplate, TemplateRole};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TEMPLATE: &str = "Classify the sentiment of this review of \"{{product}}\".\nTitle: {{ title }}\nRating: {{rating}}/5\nReview: {{ review text }}";

fn headers() -> Vec<String> {
    ["review_id", "product", "rating", "title", "review text"].map(String::from).to_vec()
}

fn row() -> Row {
    Row::from_cells(
        1,
        [
            "R-1",
            "Aero Kettle",
            "4",
            "Solid choice",
            "Replaced my old one and the build quality is excellent, and it does exactly what it says. Recommended.",
        ],
    )
}

fn templates(c: &mut Criterion) {
    let plain = PromptTemplate::compile(TEMPLATE, &headers(), TemplateRole::Prompt).expect("template");
    let jinja = PromptTemplate::compile(
        &format!("{TEMPLATE}{{% if rating | int < 3 %}} (low){{% endif %}}"),
        &headers(),
        TemplateRole::Prompt,
    )
    .expect("template");
    let row = row();
    let mut group = c.benchmark_group("template");
    group.throughput(Throughput::Elements(1));
    let mut out = String::new();
    group.bench_function("plain placeholders", |b| {
        b.iter(|| {
            out.clear();
            plain.render_into(black_box(&row), &mut out).expect("render")
        })
    });
    group.bench_function("jinja", |b| {
        b.iter(|| {
            out.clear();
            jinja.render_into(black_box(&row), &mut out).expect("render")
        })
    });
    group.finish();
}

fn records(c: &mut Criterion) {
    let model = ModelId::parse("anthropic.claude-haiku-4-5-20251001-v1:0").expect("model");
    let builder = RecordBuilder::new(&model, None, InferenceParams::default(), true).expect("builder");
    let prompt = "Classify the sentiment of this review of \"Aero Kettle\".\nTitle: Solid choice\nReview: it does exactly what it says.";
    let mut line = Vec::new();
    c.bench_function("record line (Claude)", |b| {
        b.iter(|| {
            line.clear();
            builder.write_line("ABC00000001", black_box(prompt), Some("Be brief."), &mut line)
        })
    });
    let output = br#"{"recordId":"ABC00000001","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":1024,"messages":[{"role":"user","content":[{"type":"text","text":"Classify this"}]}]},"modelOutput":{"id":"m","type":"message","role":"assistant","content":[{"type":"text","text":"positive: it works"}],"stop_reason":"end_turn","usage":{"input_tokens":30,"output_tokens":5}}}"#;
    c.bench_function("output line parse (Claude)", |b| b.iter(|| parse_line(black_box(output)).expect("parse")));
}

fn end_to_end(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let sheet = dir.path().join("reviews.csv");
    let mut text = String::from("review_id,product,rating,title,review text\n");
    for i in 0..20_000 {
        text.push_str(&format!("R-{i},Aero Kettle,{},Solid choice,\"Replaced my old one and the build quality is excellent, review {i}.\"\n", i % 5 + 1));
    }
    std::fs::write(&sheet, text).expect("write sheet");
    let prepared = dir.path().join("prep");
    let request = PrepareRequest {
        input: sheet.clone(),
        sheet: SheetOptions::default(),
        template: TEMPLATE.into(),
        system: None,
        model: ModelId::parse("anthropic.claude-haiku-4-5-20251001-v1:0").expect("model"),
        invocation: None,
        params: InferenceParams::default(),
        answer: batch_core::answer::AnswerShape::FreeText,
        id_column: None,
        limits: Default::default(),
        prices: PriceTable::bundled(),
        out_dir: prepared.clone(),
    };
    let mut group = c.benchmark_group("20k rows");
    group.throughput(Throughput::Elements(20_000));
    group.bench_function("prepare", |b| b.iter(|| prepare(&request, &NoProgress).expect("prepare")));
    let outputs = dir.path().join("out");
    write_sandbox_outputs(&prepared, &outputs, OutputFaults { shuffle: true, ..Default::default() })
        .expect("sandbox outputs");
    let results = ResultsRequest {
        input: sheet,
        sheet: None,
        prepared,
        outputs,
        export: dir.path().join("joined.csv"),
        excel_safe: false,
        prices: PriceTable::bundled(),
        unfinished_list: None,
        allow_no_outputs: false,
    };
    group.bench_function("results to CSV", |b| b.iter(|| join_results(&results, &NoProgress).expect("results")));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = templates, records, end_to_end
}
criterion_main!(benches);
