//! `Deserialize for Kind`, written by hand. The derived impl monomorphises serde_json's
//! struct reader (map and sequence forms, a field identifier, missing-field and drop paths)
//! once per struct variant: ten times, ~17 KB of wasm in the app's first load. Here every
//! struct variant goes through one visitor, which starts from the variant with its fields
//! empty and reads each field into it in place. It reads exactly what the derived impl read,
//! with the same errors: `"YesNo"` (or `{"YesNo":null}`) for a unit variant,
//! `{"Integer":{"min":0}}` (or the positional `{"Integer":[0]}`) for a struct variant; fields
//! of other variants, and unknown ones, are skipped unread, and each field is read as its own
//! variant's type (an `Integer`'s `min` as `i64`, a `Decimal`'s as `f64`). `form::tests`
//! checks it against a copy of the derived impl.

use super::{expr::Expr, Code, Kind};
use crate::i18n::Text;
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IgnoredAny, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use std::fmt;

const VARIANTS: &[&str] = &[
    "SingleChoice",
    "MultipleChoice",
    "ShortText",
    "LongText",
    "Integer",
    "Decimal",
    "Date",
    "YesNo",
    "Rating",
    "Note",
    "Calculate",
    "Repeat",
];

// Indices into VARIANTS.
const SINGLE_CHOICE: usize = 0;
const MULTIPLE_CHOICE: usize = 1;
const SHORT_TEXT: usize = 2;
const LONG_TEXT: usize = 3;
const INTEGER: usize = 4;
const DECIMAL: usize = 5;
const DATE: usize = 6;
const YES_NO: usize = 7;
const RATING: usize = 8;
const NOTE: usize = 9;
const CALCULATE: usize = 10;

/// Every variant's fields, in declaration order (the order of the positional form); empty
/// for unit variants.
const FIELDS: [&[&str]; 12] = [
    &["choices", "other"],
    &["choices", "other", "max_choices", "exclusive"],
    &["max_length"],
    &["max_length"],
    &["min", "max", "unit"],
    &["min", "max", "unit"],
    &[],
    &[],
    &["points", "low", "high", "na_label"],
    &[],
    &["calculation"],
    &["questions", "count", "min_count", "max_count"],
];

/// The same fields; the names are `FIELDS`'.
#[derive(Clone, Copy)]
enum F {
    Choices,
    Other,
    MaxChoices,
    Exclusive,
    MaxLength,
    Min,
    Max,
    Unit,
    Points,
    Low,
    High,
    NaLabel,
    Calculation,
    Questions,
    Count,
    MinCount,
    MaxCount,
}

const IDS: [&[F]; 12] = {
    use F::*;
    [
        &[Choices, Other],
        &[Choices, Other, MaxChoices, Exclusive],
        &[MaxLength],
        &[MaxLength],
        &[Min, Max, Unit],
        &[Min, Max, Unit],
        &[],
        &[],
        &[Points, Low, High, NaLabel],
        &[],
        &[Calculation],
        &[Questions, Count, MinCount, MaxCount],
    ]
};

impl F {
    /// Whether the field has no default.
    fn required(self) -> bool {
        use F::*;
        matches!(
            self,
            Choices
                | MaxLength
                | Points
                | Low
                | High
                | Calculation
                | Questions
                | MinCount
                | MaxCount
        )
    }
}

/// Variant `v` with every field empty (its default, or a placeholder for required ones).
fn empty(v: usize) -> Kind {
    match v {
        SINGLE_CHOICE => Kind::SingleChoice {
            choices: Vec::new(),
            other: false,
        },
        MULTIPLE_CHOICE => Kind::MultipleChoice {
            choices: Vec::new(),
            other: false,
            max_choices: None,
            exclusive: Vec::new(),
        },
        SHORT_TEXT => Kind::ShortText { max_length: 0 },
        LONG_TEXT => Kind::LongText { max_length: 0 },
        INTEGER => Kind::Integer {
            min: None,
            max: None,
            unit: None,
        },
        DECIMAL => Kind::Decimal {
            min: None,
            max: None,
            unit: None,
        },
        DATE => Kind::Date,
        YES_NO => Kind::YesNo,
        RATING => Kind::Rating {
            points: 0,
            low: Text::default(),
            high: Text::default(),
            na_label: None,
        },
        NOTE => Kind::Note,
        CALCULATE => Kind::Calculate {
            calculation: Code {
                source: String::new(),
                expr: Expr::Current,
            },
        },
        _ => Kind::Repeat {
            questions: Vec::new(),
            count: None,
            min_count: 0,
            max_count: 0,
        },
    }
}

impl<'de> de::Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Kind, D::Error> {
        d.deserialize_enum("Kind", VARIANTS, KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("enum Kind")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Kind, A::Error> {
        let (VariantIndex(v), access) = data.variant()?;
        // Only the unit variants have no fields.
        if FIELDS[v].is_empty() {
            access.unit_variant()?;
            Ok(empty(v))
        } else {
            access.struct_variant(FIELDS[v], BodyVisitor(v))
        }
    }
}

/// The variant's name, as an index into `VARIANTS`.
struct VariantIndex(usize);

impl<'de> de::Deserialize<'de> for VariantIndex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<VariantIndex, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = VariantIndex;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("variant identifier")
            }
            fn visit_u64<E: de::Error>(self, i: u64) -> Result<VariantIndex, E> {
                match usize::try_from(i) {
                    Ok(i) if i < VARIANTS.len() => Ok(VariantIndex(i)),
                    _ => Err(E::invalid_value(
                        de::Unexpected::Unsigned(i),
                        &"variant index 0 <= i < 12",
                    )),
                }
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<VariantIndex, E> {
                match VARIANTS.iter().position(|n| *n == s) {
                    Some(i) => Ok(VariantIndex(i)),
                    None => Err(E::unknown_variant(s, VARIANTS)),
                }
            }
            fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<VariantIndex, E> {
                match VARIANTS.iter().position(|n| n.as_bytes() == b) {
                    Some(i) => Ok(VariantIndex(i)),
                    None => Err(E::unknown_variant(&String::from_utf8_lossy(b), VARIANTS)),
                }
            }
        }
        d.deserialize_identifier(V)
    }
}

/// Reads the body of struct variant `.0`, as a map or (serde's positional form) a sequence.
struct BodyVisitor(usize);

/// "struct variant Kind::Integer with 3 elements", the derived impl's words.
struct WithElements(usize);

impl de::Expected for WithElements {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let n = FIELDS[self.0].len();
        let s = if n == 1 { "" } else { "s" };
        write!(
            f,
            "struct variant Kind::{} with {n} element{s}",
            VARIANTS[self.0]
        )
    }
}

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "struct variant Kind::{}", VARIANTS[self.0])
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut kind = empty(self.0);
        for (i, &field) in IDS[self.0].iter().enumerate() {
            let seed = Field {
                field,
                kind: &mut kind,
            };
            // A missing element is the field's default, or an error if it has none.
            if seq.next_element_seed(seed)?.is_none() && field.required() {
                return Err(de::Error::invalid_length(i, &WithElements(self.0)));
            }
        }
        Ok(kind)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut kind = empty(self.0);
        let fields = IDS[self.0];
        // Bit i: field i has been read.
        let mut seen = 0u32;
        while let Some(key) = map.next_key_seed(Key(self.0))? {
            match key {
                Some(i) if seen & (1 << i) != 0 => {
                    return Err(de::Error::duplicate_field(FIELDS[self.0][i]));
                }
                Some(i) => {
                    map.next_value_seed(Field {
                        field: fields[i],
                        kind: &mut kind,
                    })?;
                    seen |= 1 << i;
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (0..fields.len()).find(|&i| seen & (1 << i) == 0 && fields[i].required()) {
            Some(i) => Err(de::Error::missing_field(FIELDS[self.0][i])),
            None => Ok(kind),
        }
    }
}

/// A key of a struct variant's map: the index of one of its fields, or `None` for any other
/// key (read past, as the derived impl does without `deny_unknown_fields`).
struct Key(usize);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Key {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_u64<E: de::Error>(self, i: u64) -> Result<Option<usize>, E> {
        Ok(usize::try_from(i)
            .ok()
            .filter(|&i| i < FIELDS[self.0].len()))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Option<usize>, E> {
        Ok(FIELDS[self.0].iter().position(|n| *n == s))
    }

    fn visit_bytes<E: de::Error>(self, b: &[u8]) -> Result<Option<usize>, E> {
        Ok(FIELDS[self.0].iter().position(|n| n.as_bytes() == b))
    }
}

/// Reads `field` into the variant `kind` (one that has it), as the variant's type.
struct Field<'a> {
    field: F,
    kind: &'a mut Kind,
}

impl<'de> DeserializeSeed<'de> for Field<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        use de::Deserialize as De;
        use Kind::*;
        match (self.kind, self.field) {
            (SingleChoice { choices, .. } | MultipleChoice { choices, .. }, F::Choices) => {
                *choices = De::deserialize(d)?
            }
            (SingleChoice { other, .. } | MultipleChoice { other, .. }, F::Other) => {
                *other = De::deserialize(d)?
            }
            (MultipleChoice { max_choices, .. }, F::MaxChoices) => {
                *max_choices = De::deserialize(d)?
            }
            (MultipleChoice { exclusive, .. }, F::Exclusive) => *exclusive = De::deserialize(d)?,
            (ShortText { max_length } | LongText { max_length }, F::MaxLength) => {
                *max_length = De::deserialize(d)?
            }
            (Integer { min, .. }, F::Min) => *min = De::deserialize(d)?,
            (Integer { max, .. }, F::Max) => *max = De::deserialize(d)?,
            (Decimal { min, .. }, F::Min) => *min = De::deserialize(d)?,
            (Decimal { max, .. }, F::Max) => *max = De::deserialize(d)?,
            (Integer { unit, .. } | Decimal { unit, .. }, F::Unit) => *unit = De::deserialize(d)?,
            (Rating { points, .. }, F::Points) => *points = De::deserialize(d)?,
            (Rating { low, .. }, F::Low) => *low = De::deserialize(d)?,
            (Rating { high, .. }, F::High) => *high = De::deserialize(d)?,
            (Rating { na_label, .. }, F::NaLabel) => *na_label = De::deserialize(d)?,
            (Calculate { calculation }, F::Calculation) => *calculation = De::deserialize(d)?,
            (Repeat { questions, .. }, F::Questions) => *questions = De::deserialize(d)?,
            (Repeat { count, .. }, F::Count) => *count = De::deserialize(d)?,
            (Repeat { min_count, .. }, F::MinCount) => *min_count = De::deserialize(d)?,
            (Repeat { max_count, .. }, F::MaxCount) => *max_count = De::deserialize(d)?,
            // Every variant has the fields `IDS` lists for it.
            _ => {}
        }
        Ok(())
    }
}
