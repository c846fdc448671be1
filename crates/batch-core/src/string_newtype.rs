//! The conversions every validated string newtype shares (`Display`, and the `TryFrom<String>` /
//! `Into<String>` pair serde uses), written once.

/// Implements `Display`, `TryFrom<String>` (through the type's `parse`) and `From<Type> for String` for a
/// tuple struct around a `String`.
macro_rules! string_newtype {
    ($type:ident, $error:ty) => {
        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $type {
            type Error = $error;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.0
            }
        }
    };
}

pub(crate) use string_newtype;
