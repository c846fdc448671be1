//! `run --compare-with MODEL`: the same rows sent to each model as a run of its own (each in a folder of the
//! output folder named after its run), then compared once all are fetched.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, bail};
use batch_app::model_runs::{model_run_name, models_to_compare};
use batch_app::start_run::{RunTarget, job_name};

use super::connect::open_history;
use crate::args::{CompareArgs, RunArgs};
use crate::commands::answer_shape;

/// Runs `args` once per model (its own and `--compare-with`'s), then compares the runs when they were followed to
/// their end; otherwise prints the command that compares them later.
pub fn run_models(args: RunArgs, sandbox: bool) -> Result<ExitCode> {
    let answer = answer_shape(&args.prepare.answer)?;
    let mut given = vec![args.prepare.model.clone()];
    given.extend(args.compare_with.iter().cloned());
    let models = models_to_compare(&given, !answer.columns().is_empty())?;
    let target = RunTarget { job_name: args.job.job_name.clone(), ..RunTarget::default() };
    let base = job_name(&target, &args.prepare.sheet.input)?;
    let wait = args.wait || sandbox;
    let mut runs = Vec::with_capacity(models.len());
    for model in &models {
        let name = model_run_name(&base, model);
        let mut one = args.clone();
        one.compare_with.clear();
        one.prepare.model = model.as_str().to_string();
        one.prepare.out = args.prepare.out.join(name.as_str());
        one.job.job_name = Some(name.as_str().to_string());
        if model.as_str() != args.prepare.model.trim() {
            // The invocation asked for is the first model's; the others take their family's default.
            one.prepare.invocation_type = None;
        }
        one.export = args.export.as_deref().map(|path| beside(path, name.as_str()));
        eprintln!("== {model}: run {name}, prepared in {}", one.prepare.out.display());
        let out = one.prepare.out.clone();
        let code = super::run_one(one, sandbox)?;
        if code != ExitCode::SUCCESS {
            eprintln!("the run of {model} did not finish; the models after it were not sent");
            return Ok(code);
        }
        runs.push(run_prepared_in(&out)?);
    }
    if !wait {
        println!("when they have ended and are fetched: bedrock-batch compare {}", runs.join(" "));
        return Ok(ExitCode::SUCCESS);
    }
    println!();
    super::compare(CompareArgs { runs, export: None, prices: args.prepare.prices.clone(), format: args.prepare.format })
}

/// The export file of one model's run: the name given with the run's name before the extension.
fn beside(path: &Path, run: &str) -> PathBuf {
    let stem = path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{run}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{run}"),
    };
    path.with_file_name(name)
}

/// The newest run recorded from the prepared folder `out`.
fn run_prepared_in(out: &Path) -> Result<String> {
    let history = open_history()?;
    let folder = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let runs = history.lock().unwrap_or_else(std::sync::PoisonError::into_inner).runs()?;
    match runs.iter().rev().find(|r| r.retry_of.is_none() && r.prepared_dir == folder) {
        Some(run) => Ok(run.id.to_string()),
        None => bail!("no run was recorded from {}; see `bedrock-batch status`", out.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_model_s_export_is_named_after_its_run() {
        assert_eq!(beside(Path::new("/x/labels.csv"), "t-nova-pro-v1-0"), Path::new("/x/labels-t-nova-pro-v1-0.csv"));
        assert_eq!(beside(Path::new("labels"), "t-a"), Path::new("labels-t-a"));
    }
}
