//! Tokens of the expression language, each with its character position (from 1).

use super::ExprError;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Num(f64),
    Str(String),
    Ref(String),
    /// A name: a function, or the word operators `and`, `or`, `div`, `mod`.
    Name(String),
    Dot,
    LParen,
    RParen,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
}

pub fn lex(text: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |pos: usize, message: String| ExprError {
        position: pos + 1,
        message,
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let simple = match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '=' => Some(Tok::Eq),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '*' => Some(Tok::Star),
            _ => None,
        };
        if let Some(t) = simple {
            out.push((t, start + 1));
            i += 1;
            continue;
        }
        match c {
            '!' | '<' | '>' => {
                let eq = chars.get(i + 1) == Some(&'=');
                let t = match (c, eq) {
                    ('!', true) => Tok::Ne,
                    ('!', false) => return Err(err(i, "“!” must be followed by “=”".into())),
                    ('<', true) => Tok::Le,
                    ('<', false) => Tok::Lt,
                    ('>', true) => Tok::Ge,
                    _ => Tok::Gt,
                };
                i += if eq { 2 } else { 1 };
                out.push((t, start + 1));
            }
            '\'' | '"' => {
                let close = chars[i + 1..]
                    .iter()
                    .position(|&x| x == c)
                    .ok_or_else(|| err(i, "text in quotes is not closed".into()))?;
                let s: String = chars[i + 1..i + 1 + close].iter().collect();
                i += close + 2;
                out.push((Tok::Str(s), start + 1));
            }
            '$' => {
                if chars.get(i + 1) != Some(&'{') {
                    return Err(err(i, "a reference is written ${name}".into()));
                }
                let close = chars[i + 2..]
                    .iter()
                    .position(|&x| x == '}')
                    .ok_or_else(|| err(i, "a ${…} reference is not closed".into()))?;
                let name: String = chars[i + 2..i + 2 + close].iter().collect();
                let name = name.trim().to_owned();
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
                {
                    return Err(err(i, format!("“{name}” is not a question name")));
                }
                i += close + 3;
                out.push((Tok::Ref(name), start + 1));
            }
            '.' if !chars.get(i + 1).is_some_and(char::is_ascii_digit) => {
                i += 1;
                out.push((Tok::Dot, start + 1));
            }
            c if c.is_ascii_digit() || c == '.' => {
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                let n = s
                    .parse::<f64>()
                    .map_err(|_| err(start, format!("“{s}” is not a number")))?;
                out.push((Tok::Num(n), start + 1));
            }
            c if c.is_alphabetic() || c == '_' => {
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '-')
                {
                    i += 1;
                }
                // A trailing '-' belongs to subtraction ("a-1" is rare, "count-selected" common):
                // names end on a letter or digit.
                while i > start + 1 && chars[i - 1] == '-' {
                    i -= 1;
                }
                let s: String = chars[start..i].iter().collect();
                out.push((Tok::Name(s), start + 1));
            }
            other => return Err(err(i, format!("unexpected “{other}”"))),
        }
    }
    Ok(out)
}
