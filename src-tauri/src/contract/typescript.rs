//! The window's TypeScript side, generated from the contract: a type for every Rust type that crosses (found
//! from the commands' and events' own types, through ts-rs), a typed call per command and a listener per
//! event, in `ui/src/backend/bindings.ts`. The test fails when the committed file differs, so a Rust change
//! cannot silently break the window; `UPDATE_BINDINGS=1` rewrites the file.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use ts_rs::{TS, TypeVisitor};

/// The contract as declared: its commands, its events and the error every command may answer.
pub struct Contract {
    /// The commands, in declaration order.
    pub commands: Vec<Call>,
    /// The events, each with its payload as the one argument.
    pub events: Vec<Call>,
    /// What a failed command answers.
    pub errors: Value,
}

/// A command (or an event): its Rust name, its documentation, its arguments and its answer.
pub struct Call {
    /// The Rust name (snake case).
    pub name: &'static str,
    /// The doc comment, a line per `///`.
    pub doc: &'static str,
    /// The arguments the window sends, in order.
    pub args: Vec<Value>,
    /// What it answers.
    pub answer: Value,
}

/// A value crossing the boundary: its name as an argument, its TypeScript type, and how to reach the
/// declarations that type needs.
pub struct Value {
    /// The argument's Rust name (empty for an answer).
    pub name: &'static str,
    /// The TypeScript type.
    pub ts: String,
    /// Adds the declarations the type needs.
    declare: fn(&mut Declarations),
}

impl Value {
    /// The value `name` of the Rust type `T`.
    pub fn of<T: TS + 'static>(name: &'static str) -> Self {
        Self { name, ts: numbers(&T::name()), declare: |declarations| declarations.reach::<T>() }
    }
}

/// The declarations reached so far, each once, by name (ts-rs visits a type's dependencies in no fixed
/// order, so the file is sorted to stay the same from one build to the next).
#[derive(Default)]
struct Declarations {
    seen: HashSet<TypeId>,
    names: Vec<String>,
    texts: BTreeMap<String, String>,
}

impl Declarations {
    /// Adds `T`'s declaration (when it has one) and those of every type it uses.
    fn reach<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if T::output_path().is_some() {
            self.names.push(T::ident());
            self.texts.insert(T::ident(), numbers(&T::decl()));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

impl TypeVisitor for Declarations {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        self.reach::<T>();
    }
}

/// Integers travel as JSON numbers (all below 2^53), which JavaScript reads as numbers, not bigints.
fn numbers(ts: &str) -> String {
    ts.replace("bigint", "number")
}

/// `snake_case` as `camelCase`.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The doc comment as a JSDoc block at `indent`.
fn jsdoc(doc: &str) -> String {
    let lines: Vec<&str> = doc.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    match lines.as_slice() {
        [] => String::new(),
        [one] => format!("/** {one} */\n"),
        many => format!("/**\n{} */\n", many.iter().map(|l| format!(" * {l}\n")).collect::<String>()),
    }
}

/// A command's answer type in a promise: `void` for the unit answer.
fn promised(answer: &Value) -> String {
    if answer.ts == "null" { "void".to_string() } else { answer.ts.clone() }
}

/// The typed call of one command.
fn command_call(call: &Call) -> String {
    let params: Vec<String> = call.args.iter().map(|a| format!("{}: {}", camel(a.name), a.ts)).collect();
    let sent: Vec<String> = call.args.iter().map(|a| camel(a.name)).collect();
    let answer = promised(&call.answer);
    let args = if sent.is_empty() { String::new() } else { format!(", {{ {} }}", sent.join(", ")) };
    format!(
        "{}export function {}({}): Promise<{answer}> {{\n  return invoke<{answer}>(\"{}\"{args});\n}}\n",
        jsdoc(call.doc),
        camel(call.name),
        params.join(", "),
        call.name,
    )
}

/// The listener of one event: `onName(handler)` answers the function that stops listening.
fn event_listener(event: &Call) -> String {
    let payload = &event.args[0].ts;
    let mut name = camel(event.name);
    if let Some(first) = name.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!(
        "{}export function on{name}(handler: (payload: {payload}) => void): Promise<UnlistenFn> {{\n  return listen<{payload}>(\"{}\", (e) => handler(e.payload));\n}}\n",
        jsdoc(event.doc),
        super::event_name(event.name),
    )
}

/// The whole generated file.
fn bindings(contract: &Contract) -> String {
    let mut declarations = Declarations::default();
    for value in contract
        .commands
        .iter()
        .chain(&contract.events)
        .flat_map(|call| call.args.iter().chain([&call.answer]))
        .chain([&contract.errors])
    {
        (value.declare)(&mut declarations);
    }
    let mut out = String::from(
        "// Generated from the window contract (src-tauri/src/contract.rs) and the Rust types (ts-rs); do not edit.\n\
         // Regenerate: UPDATE_BINDINGS=1 cargo test -p bedrock-batch-studio contract\n\
         import { invoke } from \"@tauri-apps/api/core\";\n\
         import { listen, type UnlistenFn } from \"@tauri-apps/api/event\";\n",
    );
    out.push_str("\n// Types\n");
    for text in declarations.texts.values() {
        out.push_str(&format!("\nexport {text}\n"));
    }
    out.push_str(&format!(
        "\n// Commands: each rejects with an {} (a stable code, the message, the fix).\n",
        contract.errors.ts
    ));
    for call in &contract.commands {
        out.push('\n');
        out.push_str(&command_call(call));
    }
    out.push_str("\n// Events\n");
    for event in &contract.events {
        out.push('\n');
        out.push_str(&event_listener(event));
    }
    out
}

#[test]
fn the_window_bindings_match_the_contract() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/backend/bindings.ts");
    let fresh = bindings(&super::declared());
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is out of date with the window contract; run `UPDATE_BINDINGS=1 cargo test -p bedrock-batch-studio contract` and commit it",
        path.display()
    );
}

#[test]
fn every_type_a_command_or_event_uses_is_declared_once() {
    let contract = super::declared();
    let mut declarations = Declarations::default();
    for value in contract.commands.iter().chain(&contract.events).flat_map(|c| c.args.iter().chain([&c.answer])) {
        (value.declare)(&mut declarations);
    }
    let names: HashSet<&String> = declarations.names.iter().collect();
    assert_eq!(names.len(), declarations.names.len(), "a type declared twice: {:?}", declarations.names);
    // Reached through the commands, not listed: nested types (a filter's status, an event's body).
    for nested in ["Status", "Event", "ColumnKind", "InvocationChoice", "SavedTokens"] {
        assert!(names.contains(&nested.to_string()), "{nested} not reached: {names:?}");
    }
    assert_eq!(camel("input_tokens"), "inputTokens");
    assert_eq!(super::event_name("run_event"), "run-event");
}
