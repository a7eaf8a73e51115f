//! Form expressions: the subset of XLSForm's (XPath-based) language that `relevant`,
//! `constraint`, `required`, `calculation`, `default` and `choice_filter` are written in.
//!
//! Parsed once when a form loads (`Expr::parse`), evaluated many times against an `Env`
//! that supplies answers. Parsing reports the character position of a mistake; evaluation
//! never panics and, as in XLSForm, turns type mismatches into false / empty / NaN.

mod eval;
mod lexer;
mod parser;

pub use eval::{Env, XValue};

use std::collections::BTreeSet;
use std::fmt;

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    Str(String),
    /// `${name}`
    Ref(String),
    /// `.`: the value of the question the expression belongs to.
    Current,
    /// A bare name in a `choice_filter`: a column of the choice being filtered (`name` is
    /// its value).
    Column(String),
    Neg(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    True,
    False,
    Not,
    If,
    Selected,
    CountSelected,
    StringLength,
    Today,
    Int,
    Round,
    Count,
    Sum,
    Coalesce,
    Concat,
}

impl Func {
    pub fn name(self) -> &'static str {
        match self {
            Func::True => "true",
            Func::False => "false",
            Func::Not => "not",
            Func::If => "if",
            Func::Selected => "selected",
            Func::CountSelected => "count-selected",
            Func::StringLength => "string-length",
            Func::Today => "today",
            Func::Int => "int",
            Func::Round => "round",
            Func::Count => "count",
            Func::Sum => "sum",
            Func::Coalesce => "coalesce",
            Func::Concat => "concat",
        }
    }

    fn by_name(name: &str) -> Option<Func> {
        [
            Func::True,
            Func::False,
            Func::Not,
            Func::If,
            Func::Selected,
            Func::CountSelected,
            Func::StringLength,
            Func::Today,
            Func::Int,
            Func::Round,
            Func::Count,
            Func::Sum,
            Func::Coalesce,
            Func::Concat,
        ]
        .into_iter()
        .find(|f| f.name() == name)
    }

    /// Accepted numbers of arguments (inclusive); `usize::MAX` for "any".
    fn arity(self) -> (usize, usize) {
        match self {
            Func::Today | Func::True | Func::False => (0, 0),
            Func::Not
            | Func::CountSelected
            | Func::StringLength
            | Func::Int
            | Func::Count
            | Func::Sum => (1, 1),
            Func::Round => (1, 2),
            Func::Selected => (2, 2),
            Func::If => (3, 3),
            Func::Coalesce => (2, usize::MAX),
            Func::Concat => (1, usize::MAX),
        }
    }
}

/// Where and why an expression could not be read. `position` counts characters from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.position, self.message)
    }
}

impl std::error::Error for ExprError {}

/// Nesting deeper than this is refused: it keeps parsing and evaluation off the edge of the
/// stack whatever a form file contains. Real forms nest a handful of levels.
pub const MAX_DEPTH: usize = 64;
/// Longer expressions are refused before parsing.
pub const MAX_LEN: usize = 4_000;

impl Expr {
    pub fn parse(text: &str) -> Result<Expr, ExprError> {
        parser::parse(text, false)
    }

    /// A `choice_filter`, where bare names are the choice's columns: `city = ${city}`.
    pub fn parse_filter(text: &str) -> Result<Expr, ExprError> {
        parser::parse(text, true)
    }

    /// The choice columns a `choice_filter` reads.
    pub fn columns(&self) -> BTreeSet<String> {
        fn go(e: &Expr, out: &mut BTreeSet<String>) {
            match e {
                Expr::Column(n) => {
                    out.insert(n.clone());
                }
                Expr::Neg(e) => go(e, out),
                Expr::Binary(_, a, b) => {
                    go(a, out);
                    go(b, out);
                }
                Expr::Call(_, args) => args.iter().for_each(|a| go(a, out)),
                _ => {}
            }
        }
        let mut out = BTreeSet::new();
        go(self, &mut out);
        out
    }

    /// The `${names}` this expression reads: the edges of the dependency graph.
    pub fn refs(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs(&self, out: &mut BTreeSet<String>) {
        match self {
            Expr::Ref(n) => {
                out.insert(n.clone());
            }
            Expr::Neg(e) => e.collect_refs(out),
            Expr::Binary(_, a, b) => {
                a.collect_refs(out);
                b.collect_refs(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.collect_refs(out)),
            Expr::Num(_) | Expr::Str(_) | Expr::Current | Expr::Column(_) => {}
        }
    }

    /// Whether `.` appears (the expression depends on its own question's value).
    pub fn uses_current(&self) -> bool {
        match self {
            Expr::Current => true,
            Expr::Neg(e) => e.uses_current(),
            Expr::Binary(_, a, b) => a.uses_current() || b.uses_current(),
            Expr::Call(_, args) => args.iter().any(Expr::uses_current),
            _ => false,
        }
    }

    pub fn eval(&self, env: &dyn Env) -> XValue {
        eval::eval(self, env)
    }
}

#[cfg(test)]
mod tests;
