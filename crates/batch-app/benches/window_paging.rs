//! What the desktop window waits for, on 1,000,000 rows: opening a results table and its first page, a page
//! in the middle, a status filter page, a search, a page of a cached sheet, and the Prompt step's all-rows
//! estimate. The table is built once
//! (its build time is printed). Run with `cargo bench -p batch-app --bench window_paging` (benches/run.sh
//! runs it too).

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use batch_app::prompt_totals::prompt_totals;
use batch_app::results_table::{ResultsTable, RowFilter};
use batch_app::sheet_pages::SheetTable;
use batch_core::results::Status;
use batch_core::sheet::SheetOptions;
use criterion::{Criterion, criterion_group, criterion_main};

const ROWS: u64 = 1_000_000;

fn write_results(path: &Path) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("results file"));
    writeln!(out, "ticket,text,record_id,status,output,error,input_tokens,output_tokens,stop_reason,tier")
        .expect("write");
    for i in 1..=ROWS {
        let (status, output, tokens) = if i % 50 == 0 { ("failed", "", "") } else { ("succeeded", "billing", "2") };
        writeln!(
            out,
            "{i},\"ticket {i}: the invoice, it is wrong\",RID{i:011},{status},{output},,14,{tokens},end_turn,batch"
        )
        .expect("write");
    }
}

fn paging(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("results.csv");
    write_results(&csv);
    let db = dir.path().join("results.db");
    let started = Instant::now();
    drop(ResultsTable::build(&csv, &db).expect("build"));
    eprintln!("results table of {ROWS} rows built in {:.2} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let (_, sheet) =
        SheetTable::build(&csv, &SheetOptions::default(), &dir.path().join("sheet.db")).expect("sheet cache");
    eprintln!("sheet of {ROWS} rows summarized and cached in {:.2} s", started.elapsed().as_secs_f64());

    let mut group = c.benchmark_group("window paging (1,000,000 rows)");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    group.bench_function("open results + first page + counts", |b| {
        b.iter(|| {
            let table = ResultsTable::open(&db).expect("open");
            let page = table.page(&RowFilter::default(), 0, 200).expect("page");
            let counts = table.counts().expect("counts");
            (page.rows.len(), counts.failed)
        })
    });
    let table = ResultsTable::open(&db).expect("open");
    group.bench_function("page at row 500,000", |b| {
        b.iter(|| table.page(&RowFilter::default(), 500_000, 200).expect("page").rows.len())
    });
    let failed = RowFilter { status: Some(Status::Failed), search: None, field: None };
    group.bench_function("failed rows, page at 10,000", |b| {
        b.iter(|| table.page(&failed, 10_000, 200).expect("page").rows.len())
    });
    let search = RowFilter { status: None, search: Some("ticket 999999:".into()), field: None };
    group.bench_function("search every row", |b| b.iter(|| table.page(&search, 0, 200).expect("page").matching));
    group.bench_function("sheet page at row 750,000", |b| b.iter(|| sheet.page(750_000, 200).expect("page").len()));
    group.finish();

    // The Prompt step's all-rows estimate, one pass over the file.
    let mut group = c.benchmark_group("all-rows prompt estimate (1,000,000 rows)");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    let options = SheetOptions::default();
    let template = "Route this ticket: {{text}}";
    group.bench_function("from the CSV file", |b| {
        b.iter(|| prompt_totals(&csv, &options, template, None, &AtomicBool::new(false)).expect("totals").total_tokens)
    });
    group.finish();
}

criterion_group!(benches, paging);
criterion_main!(benches);
