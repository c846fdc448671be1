//! IAM policy documents, parsed from JSON as AWS accepts them: `Statement` as an object or an array;
//! `Action`/`NotAction`, `Resource`/`NotResource`, `Principal`/`NotPrincipal` and condition values as a
//! string or an array. A malformed document is refused with the place of the problem.

use serde_json::Value;

/// Why a policy document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{policy}: {place}: {problem}")]
pub struct PolicyError {
    /// Which document (its file or name).
    pub policy: String,
    /// Where in it, e.g. `Statement[2].Action`.
    pub place: String,
    /// What is wrong and how to fix it.
    pub problem: String,
}

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Forbids (beats any Allow).
    Deny,
}

/// Who a trust statement names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principals {
    /// `"*"` (or `{"AWS": "*"}`): anyone.
    Anyone,
    /// Typed lists: `(kind, value)` with kind `AWS`, `Service`, `Federated` or `CanonicalUser`.
    Named(Vec<(String, String)>),
}

/// One condition test: an operator (with its `ForAnyValue:`/`ForAllValues:` qualifier and `IfExists`
/// suffix), a context key and the values to compare with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub operator: String,
    /// The context key as written, e.g. `aws:SourceArn`.
    pub key: String,
    /// The values (any of them may match).
    pub values: Vec<String>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Its Sid, if any.
    pub sid: Option<String>,
    /// Its 0-based position in the document.
    pub index: usize,
    /// Allow or Deny.
    pub effect: Effect,
    /// `Principal` (trust and resource policies).
    pub principal: Option<Principals>,
    /// `NotPrincipal`.
    pub not_principal: Option<Principals>,
    /// `Action` patterns.
    pub action: Option<Vec<String>>,
    /// `NotAction` patterns.
    pub not_action: Option<Vec<String>>,
    /// `Resource` patterns.
    pub resource: Option<Vec<String>>,
    /// `NotResource` patterns.
    pub not_resource: Option<Vec<String>>,
    /// Every condition test (all must hold).
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// How a reader finds it: `"Sid"` or `statement 3` (1-based).
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => format!("statement \"{sid}\""),
            _ => format!("statement {}", self.index + 1),
        }
    }
}

/// A parsed policy document with the name it is reported under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Where it came from: a file, `inline policy NAME`, a managed policy ARN…
    pub name: String,
    /// Its statements in order.
    pub statements: Vec<Statement>,
}

struct Reader<'a> {
    policy: &'a str,
}

impl Reader<'_> {
    fn error(&self, place: impl Into<String>, problem: impl Into<String>) -> PolicyError {
        PolicyError { policy: self.policy.to_string(), place: place.into(), problem: problem.into() }
    }

    /// A string or an array of strings.
    fn strings(&self, value: &Value, place: &str) -> Result<Vec<String>, PolicyError> {
        match value {
            Value::String(s) => Ok(vec![s.clone()]),
            Value::Array(items) if !items.is_empty() => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(s.clone()),
                    // Condition values may be written as booleans or numbers.
                    Value::Bool(b) => Ok(b.to_string()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(self.error(format!("{place}[{i}]"), "expected a string")),
                })
                .collect(),
            Value::Bool(b) => Ok(vec![b.to_string()]),
            Value::Number(n) => Ok(vec![n.to_string()]),
            Value::Array(_) => Err(self.error(place, "an empty list matches nothing; give at least one value")),
            _ => Err(self.error(place, "expected a string or an array of strings")),
        }
    }

    fn principals(&self, value: &Value, place: &str) -> Result<Principals, PolicyError> {
        match value {
            Value::String(s) if s == "*" => Ok(Principals::Anyone),
            Value::Object(map) => {
                let mut named = Vec::new();
                for (kind, values) in map {
                    if !["AWS", "Service", "Federated", "CanonicalUser"].contains(&kind.as_str()) {
                        return Err(self.error(
                            format!("{place}.{kind}"),
                            "unknown principal type; use AWS, Service, Federated or CanonicalUser",
                        ));
                    }
                    for value in self.strings(values, &format!("{place}.{kind}"))? {
                        if kind == "AWS" && value == "*" {
                            return Ok(Principals::Anyone);
                        }
                        named.push((kind.clone(), value));
                    }
                }
                Ok(Principals::Named(named))
            }
            _ => Err(self.error(place, "expected \"*\" or an object such as {\"Service\": \"bedrock.amazonaws.com\"}")),
        }
    }

    fn conditions(&self, value: &Value, place: &str) -> Result<Vec<Condition>, PolicyError> {
        let Value::Object(operators) = value else {
            return Err(self.error(
                place,
                "expected an object of operators, e.g. {\"StringEquals\": {\"aws:SourceAccount\": \"111122223333\"}}",
            ));
        };
        let mut out = Vec::new();
        for (operator, keys) in operators {
            let Value::Object(keys) = keys else {
                return Err(self.error(format!("{place}.{operator}"), "expected an object of context keys and values"));
            };
            for (key, values) in keys {
                let values = self.strings(values, &format!("{place}.{operator}.{key}"))?;
                out.push(Condition { operator: operator.clone(), key: key.clone(), values });
            }
        }
        Ok(out)
    }

    fn statement(&self, value: &Value, index: usize) -> Result<Statement, PolicyError> {
        let place = format!("Statement[{index}]");
        let Value::Object(map) = value else { return Err(self.error(place, "expected an object")) };
        const KNOWN: [&str; 10] = [
            "Sid",
            "Effect",
            "Principal",
            "NotPrincipal",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Condition",
            "Id",
        ];
        if let Some(unknown) = map.keys().find(|k| !KNOWN.contains(&k.as_str())) {
            return Err(
                self.error(format!("{place}.{unknown}"), "not a statement element (check the spelling and case)")
            );
        }
        let effect = match map.get("Effect") {
            Some(Value::String(e)) if e == "Allow" => Effect::Allow,
            Some(Value::String(e)) if e == "Deny" => Effect::Deny,
            Some(other) => {
                return Err(self.error(format!("{place}.Effect"), format!("{other} is neither \"Allow\" nor \"Deny\"")));
            }
            None => return Err(self.error(format!("{place}.Effect"), "missing; add \"Effect\": \"Allow\" or \"Deny\"")),
        };
        let list = |name: &str| map.get(name).map(|v| self.strings(v, &format!("{place}.{name}"))).transpose();
        let principal = |name: &str| map.get(name).map(|v| self.principals(v, &format!("{place}.{name}"))).transpose();
        let statement = Statement {
            sid: match map.get("Sid") {
                None => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(self.error(format!("{place}.Sid"), "expected a string")),
            },
            index,
            effect,
            principal: principal("Principal")?,
            not_principal: principal("NotPrincipal")?,
            action: list("Action")?,
            not_action: list("NotAction")?,
            resource: list("Resource")?,
            not_resource: list("NotResource")?,
            conditions: map
                .get("Condition")
                .map(|c| self.conditions(c, &format!("{place}.Condition")))
                .transpose()?
                .unwrap_or_default(),
        };
        let both = |a: bool, b: bool, names: &str| {
            if a && b { Err(self.error(place.clone(), format!("{names} cannot both be given"))) } else { Ok(()) }
        };
        both(statement.action.is_some(), statement.not_action.is_some(), "Action and NotAction")?;
        both(statement.resource.is_some(), statement.not_resource.is_some(), "Resource and NotResource")?;
        both(statement.principal.is_some(), statement.not_principal.is_some(), "Principal and NotPrincipal")?;
        if statement.action.is_none() && statement.not_action.is_none() {
            return Err(self.error(place, "has neither Action nor NotAction"));
        }
        Ok(statement)
    }
}

impl Policy {
    /// Parses a document's JSON text; `name` says where it came from in every message.
    pub fn parse(name: &str, text: &str) -> Result<Self, PolicyError> {
        let reader = Reader { policy: name };
        let value: Value = serde_json::from_str(text).map_err(|e| {
            reader.error(format!("line {}, column {}", e.line(), e.column()), format!("not valid JSON: {e}"))
        })?;
        let Value::Object(map) = &value else { return Err(reader.error("document", "expected a JSON object")) };
        if let Some(Value::String(version)) = map.get("Version")
            && version != "2012-10-17"
            && version != "2008-10-17"
        {
            return Err(
                reader.error("Version", format!("\"{version}\" is not a policy language version; use \"2012-10-17\""))
            );
        }
        let statements = match map.get("Statement") {
            Some(Value::Array(items)) => {
                items.iter().enumerate().map(|(i, s)| reader.statement(s, i)).collect::<Result<_, _>>()?
            }
            Some(single @ Value::Object(_)) => vec![reader.statement(single, 0)?],
            Some(_) => return Err(reader.error("Statement", "expected an object or an array of objects")),
            None => return Err(reader.error("Statement", "missing; a policy needs at least one statement")),
        };
        Ok(Self { name: name.to_string(), statements })
    }

    /// True when any condition of the document names `key` (case-insensitively).
    pub fn mentions_key(&self, key: &str) -> bool {
        self.statements.iter().any(|s| s.conditions.iter().any(|c| c.key.eq_ignore_ascii_case(key)))
    }
}
