//! Recursive descent over XPath 1.0's precedence, lowest first:
//! `or`, `and`, `= !=`, `< <= > >=`, `+ -`, `* div mod`, unary `-`.

use super::lexer::{lex, Tok};
use super::{Expr, ExprError, Func, Op, MAX_DEPTH, MAX_LEN};

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
    depth: usize,
    /// Position just past the text, for "ended too early" errors.
    end: usize,
    /// Bare names are choice columns (in a `choice_filter`) rather than mistakes.
    columns: bool,
}

pub fn parse(text: &str, columns: bool) -> Result<Expr, ExprError> {
    let len = text.chars().count();
    if len > MAX_LEN {
        return Err(ExprError {
            position: 1,
            message: format!("longer than {MAX_LEN} characters"),
        });
    }
    let toks = lex(text)?;
    if toks.is_empty() {
        return Err(ExprError {
            position: 1,
            message: "the expression is empty".into(),
        });
    }
    let mut p = Parser {
        toks,
        i: 0,
        depth: 0,
        end: len + 1,
        columns,
    };
    let e = p.or()?;
    match p.toks.get(p.i) {
        None => Ok(e),
        Some((t, pos)) => Err(ExprError {
            position: *pos,
            message: format!("unexpected {} here", describe(t)),
        }),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number {}", crate::form::number_text(*n)),
        Tok::Str(s) => format!("text '{s}'"),
        Tok::Ref(r) => format!("${{{r}}}"),
        Tok::Name(n) => format!("“{n}”"),
        Tok::Dot => "“.”".into(),
        Tok::LParen => "“(”".into(),
        Tok::RParen => "“)”".into(),
        Tok::Comma => "“,”".into(),
        Tok::Eq => "“=”".into(),
        Tok::Ne => "“!=”".into(),
        Tok::Lt => "“<”".into(),
        Tok::Le => "“<=”".into(),
        Tok::Gt => "“>”".into(),
        Tok::Ge => "“>=”".into(),
        Tok::Plus => "“+”".into(),
        Tok::Minus => "“-”".into(),
        Tok::Star => "“*”".into(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(t, _)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.i).map(|(_, p)| *p).unwrap_or(self.end)
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, ExprError> {
        Err(ExprError {
            position: self.pos(),
            message: message.into(),
        })
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Name(n)) if n == w)
    }

    fn deeper(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        self.deeper()?;
        let mut e = self.and()?;
        while self.is_word("or") {
            self.i += 1;
            e = Expr::Binary(Op::Or, Box::new(e), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.equality()?;
        while self.is_word("and") {
            self.i += 1;
            e = Expr::Binary(Op::And, Box::new(e), Box::new(self.equality()?));
        }
        Ok(e)
    }

    fn equality(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.relational()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Eq) => Op::Eq,
                Some(Tok::Ne) => Op::Ne,
                _ => return Ok(e),
            };
            self.i += 1;
            e = Expr::Binary(op, Box::new(e), Box::new(self.relational()?));
        }
    }

    fn relational(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.additive()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Lt) => Op::Lt,
                Some(Tok::Le) => Op::Le,
                Some(Tok::Gt) => Op::Gt,
                Some(Tok::Ge) => Op::Ge,
                _ => return Ok(e),
            };
            self.i += 1;
            e = Expr::Binary(op, Box::new(e), Box::new(self.additive()?));
        }
    }

    fn additive(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Plus) => Op::Add,
                Some(Tok::Minus) => Op::Sub,
                _ => return Ok(e),
            };
            self.i += 1;
            e = Expr::Binary(op, Box::new(e), Box::new(self.multiplicative()?));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, ExprError> {
        let mut e = self.unary()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Star) => Op::Mul,
                Some(Tok::Name(n)) if n == "div" => Op::Div,
                Some(Tok::Name(n)) if n == "mod" => Op::Mod,
                _ => return Ok(e),
            };
            self.i += 1;
            e = Expr::Binary(op, Box::new(e), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.peek() == Some(&Tok::Minus) {
            self.i += 1;
            self.deeper()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let Some((tok, _)) = self.toks.get(self.i).cloned() else {
            return self.error("the expression ends too early");
        };
        self.i += 1;
        match tok {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Ref(r) => Ok(Expr::Ref(r)),
            Tok::Dot => Ok(Expr::Current),
            Tok::LParen => {
                let e = self.or()?;
                self.expect_close()?;
                Ok(e)
            }
            Tok::Name(name) => self.call(name),
            other => {
                self.i -= 1;
                self.error(format!("expected a value, found {}", describe(&other)))
            }
        }
    }

    fn expect_close(&mut self) -> Result<(), ExprError> {
        if self.peek() == Some(&Tok::RParen) {
            self.i += 1;
            Ok(())
        } else {
            self.error("a “(” is not closed")
        }
    }

    fn call(&mut self, name: String) -> Result<Expr, ExprError> {
        let at = self.toks[self.i - 1].1;
        let name_error = |message: String| ExprError {
            position: at,
            message,
        };
        if self.peek() != Some(&Tok::LParen) {
            if self.columns {
                return Ok(Expr::Column(name));
            }
            return Err(name_error(format!(
                "“{name}” is not a value: write a question as ${{{name}}}, text in quotes, or a function with ()"
            )));
        }
        let Some(func) = Func::by_name(&name) else {
            return Err(name_error(format!("unknown function “{name}()”")));
        };
        self.i += 1;
        let mut args = Vec::new();
        if self.peek() != Some(&Tok::RParen) {
            loop {
                args.push(self.or()?);
                if self.peek() == Some(&Tok::Comma) {
                    self.i += 1;
                } else {
                    break;
                }
            }
        }
        self.expect_close()?;
        let (lo, hi) = func.arity();
        if args.len() < lo || args.len() > hi {
            let wanted = match (lo, hi) {
                (a, b) if a == b => format!("{a}"),
                (a, usize::MAX) => format!("at least {a}"),
                (a, b) => format!("{a} to {b}"),
            };
            return Err(name_error(format!(
                "{}() takes {wanted} argument(s), not {}",
                func.name(),
                args.len()
            )));
        }
        if matches!(
            func,
            Func::Count | Func::Sum | Func::CountSelected | Func::Selected
        ) && !matches!(args[0], Expr::Ref(_) | Expr::Current)
        {
            return Err(name_error(format!(
                "{}() needs a question as its first argument, like ${{name}}",
                func.name()
            )));
        }
        Ok(Expr::Call(func, args))
    }
}
