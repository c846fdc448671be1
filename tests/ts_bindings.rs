//! The window's TypeScript types are generated from the Rust types it receives and sends
//! (`ui/src/backend/bindings.ts`, through ts-rs). This test regenerates them and fails when the committed
//! file differs, so a Rust change cannot silently break the UI; `UPDATE_BINDINGS=1` rewrites the file.

use std::path::Path;

use ts_rs::TS;

/// `export type Name = …;` for every type, in a stable order.
fn declarations() -> String {
    use batch_app::{
        history, lifecycle, ports, prompt_totals, results_table as table, row_selection as rows, session as studio,
        sheet_opening, sheet_pages as sheet,
    };
    use batch_aws::profiles;
    use batch_core::{iam, model, pricing, sheet as core_sheet, template::analysis};
    let decls = [
        batch_app::error::ErrorCode::decl(),
        batch_app::error::AppError::decl(),
        studio::AppInfo::decl(),
        profiles::ProfileInfo::decl(),
        studio::ConnectionInfo::decl(),
        core_sheet::SheetFormat::decl(),
        core_sheet::SheetMeta::decl(),
        sheet::ColumnKind::decl(),
        sheet::ColumnSummary::decl(),
        sheet::SheetSummary::decl(),
        sheet_opening::SheetProgress::decl(),
        rows::FilterOp::decl(),
        rows::RowSelection::decl(),
        sheet::RenderedPrompt::decl(),
        analysis::PieceKind::decl(),
        analysis::TemplatePiece::decl(),
        analysis::UnknownName::decl(),
        analysis::TemplateAnalysis::decl(),
        analysis::PromptAnalysis::decl(),
        prompt_totals::PromptTotals::decl(),
        pricing::ModelPrice::decl(),
        pricing::CostEstimate::decl(),
        model::ModelFamily::decl(),
        model::ModelFacts::decl(),
        ports::ModelChoice::decl(),
        studio::ModelList::decl(),
        studio::TestRowForm::decl(),
        ports::TestAnswer::decl(),
        studio::TestRowView::decl(),
        iam::CheckStatus::decl(),
        iam::CheckResult::decl(),
        iam::Verdict::decl(),
        iam::AccessReport::decl(),
        studio::AccessDocuments::decl(),
        studio::AccessForm::decl(),
        studio::AccessView::decl(),
        ports::S3Entry::decl(),
        ports::S3Listing::decl(),
        studio::SubmitForm::decl(),
        history::RunState::decl(),
        studio::RunRow::decl(),
        table::StatusCounts::decl(),
        studio::RunOutcome::decl(),
        lifecycle::Event::decl(),
        studio::RunEventMessage::decl(),
        studio::RunBytesMessage::decl(),
        table::TokenBin::decl(),
        studio::ResultsOverview::decl(),
        serde_json::Value::decl(),
        batch_core::results::Status::decl(),
        table::RowFilter::decl(),
        table::ResultsPage::decl(),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by tests/ts_bindings.rs (ts-rs); do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p e2e-tests --test ts_bindings\n\
         // Integers are `number`: they travel as JSON numbers (all below 2^53), which JavaScript reads as numbers.\n",
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(&decl.replace("bigint", "number"));
        out.push('\n');
    }
    out
}

#[test]
fn the_ui_bindings_match_the_rust_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/backend/bindings.ts");
    let fresh = declarations();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is out of date with the Rust types; run `UPDATE_BINDINGS=1 cargo test -p e2e-tests --test ts_bindings` and commit it",
        path.display()
    );
}
