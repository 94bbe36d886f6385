//! Everything that can be wrong with a manifest, without its place: one variant per kind,
//! each with its code and, where the fix is clear, a help.

/// One thing wrong with a manifest, without its place.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Problem {
    /// The file could not be read.
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(manifest::unreadable))]
    Unreadable {
        path: String,
        reason: String,
        #[help]
        help: Option<String>,
    },

    /// The file is over the size cap.
    #[error("`{path}` is {size} bytes, over the {limit}-byte limit for a manifest")]
    #[diagnostic(
        code(manifest::too_large),
        help("split the manifest: move shared parts into a base file named by `extends`")
    )]
    TooLarge { path: String, size: u64, limit: u64 },

    /// The file is not UTF-8.
    #[error("the manifest is not valid UTF-8 at byte {offset}")]
    #[diagnostic(code(manifest::not_utf8), help("save the file as UTF-8"))]
    NotUtf8 { offset: usize },

    /// The file holds no document.
    #[error("the manifest is empty")]
    #[diagnostic(
        code(manifest::empty),
        help("start with `version: 1` and an `account` with its `slug`, or run `mercfg init`")
    )]
    Empty,

    /// The YAML parser refused the text.
    #[error("invalid YAML: {message}")]
    #[diagnostic(code(manifest::syntax))]
    Syntax {
        message: String,
        #[help]
        help: Option<String>,
    },

    /// A mapping repeats a key.
    #[error("duplicate key `{key}`")]
    #[diagnostic(
        code(manifest::duplicate_key),
        help("a key may appear once in a mapping: remove or merge the repeated one")
    )]
    DuplicateKey { key: String },

    /// The parser's resource limits were hit: nesting, aliases, node count.
    #[error("the manifest exceeds a parser limit: {limit}")]
    #[diagnostic(
        code(manifest::limit),
        help("a manifest needs little nesting and few aliases: write the values out plainly")
    )]
    Limit { limit: String },

    /// The document is not a mapping.
    #[error("the manifest must be a mapping of sections, found {found}")]
    #[diagnostic(code(manifest::not_a_mapping), help("start with `version: 1`"))]
    NotAMapping { found: String },

    /// `extends` leads back to a file already being loaded.
    #[error("`extends` forms a cycle: {chain}")]
    #[diagnostic(code(manifest::extends_cycle), help("remove `extends` from one of these files"))]
    ExtendsCycle { chain: String },

    /// `extends` is not a string.
    #[error("`extends` must be the path of a base manifest")]
    #[diagnostic(code(manifest::extends_type), help("write a path relative to this file"))]
    ExtendsNotPath,

    /// A `${name}` with no such variable.
    #[error("undefined variable `{name}`")]
    #[diagnostic(code(manifest::undefined_variable))]
    UndefinedVariable {
        name: String,
        #[help]
        help: Option<String>,
    },

    /// A `${` without its `}`.
    #[error("unterminated variable: `${{` without a closing `}}`")]
    #[diagnostic(
        code(manifest::unterminated_variable),
        help("close it with `}}`, or write `$${{` for a literal `${{`")
    )]
    UnterminatedVariable,

    /// A key the schema does not know.
    #[error("unknown key `{key}` in {place}")]
    #[diagnostic(code(manifest::unknown_key))]
    UnknownKey {
        key: String,
        place: String,
        #[help]
        help: Option<String>,
    },

    /// A value of the wrong JSON type.
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(manifest::wrong_type))]
    WrongType {
        expected: String,
        found: String,
        #[help]
        help: Option<String>,
    },

    /// A value outside an enumeration.
    #[error("`{value}` is not an accepted value")]
    #[diagnostic(code(manifest::bad_value))]
    NotAllowed {
        value: String,
        #[help]
        help: Option<String>,
    },

    /// A required key is absent.
    #[error("missing key `{key}` in {place}")]
    #[diagnostic(code(manifest::missing_key))]
    MissingKey {
        key: String,
        place: String,
        #[help]
        help: Option<String>,
    },

    /// A string that does not match its pattern.
    #[error("`{value}` is not in the expected format")]
    #[diagnostic(code(manifest::bad_format))]
    BadFormat {
        value: String,
        #[help]
        help: Option<String>,
    },

    /// A number or length out of bounds.
    #[error("{value} {bound}")]
    #[diagnostic(code(manifest::out_of_range))]
    OutOfRange {
        value: String,
        bound: String,
        #[help]
        help: Option<String>,
    },

    /// A filter of no known form.
    #[error("not a valid filter")]
    #[diagnostic(code(manifest::bad_filter))]
    BadFilter {
        #[help]
        help: Option<String>,
    },

    /// Any other schema violation.
    #[error("{message}")]
    #[diagnostic(code(manifest::schema))]
    Schema {
        message: String,
        #[help]
        help: Option<String>,
    },

    /// A reference to a role, team, tag, field, option or member that is not declared.
    #[error("undefined {kind} `{name}`")]
    #[diagnostic(code(manifest::undefined))]
    Undefined {
        kind: &'static str,
        name: String,
        #[help]
        help: Option<String>,
    },

    /// A filter comparison that does not apply to the field's type.
    #[error("`{op}` does not apply to `{field}`, a {field_type} field")]
    #[diagnostic(code(manifest::op_for_type))]
    OpNotForType {
        op: String,
        field: String,
        field_type: String,
        #[help]
        help: Option<String>,
    },

    /// A filter value of the wrong type for its field.
    #[error("the value compared with `{field}` must be {expected}")]
    #[diagnostic(code(manifest::value_type))]
    ValueType {
        field: String,
        expected: String,
        #[help]
        help: Option<String>,
    },

    /// Two objects with one identity.
    #[error("duplicate {kind} `{name}`")]
    #[diagnostic(code(manifest::duplicate))]
    Duplicate {
        kind: &'static str,
        name: String,
        #[help]
        help: Option<String>,
    },

    /// A channel with two default teams.
    #[error("`{channel}` already has a default team, `{first}`")]
    #[diagnostic(
        code(manifest::second_default_team),
        help("a channel has at most one default team: remove `{channel}` from one `default_for`")
    )]
    SecondDefaultTeam { channel: String, first: String },

    /// A team that is the default for a channel it does not handle.
    #[error("`{team}` is the default team for `{channel}` but does not handle that channel")]
    #[diagnostic(
        code(manifest::default_outside_channels),
        help("add `{channel}` to the team's `channels`")
    )]
    DefaultOutsideChannels { team: String, channel: String },

    /// Fewer admins than `policy.min_admins`.
    #[error("`min_admins` is {min} but the manifest has {found} admin(s)")]
    #[diagnostic(
        code(manifest::min_admins),
        help(
            "give `role: admin` (or a role based on `admin`) to more members, or lower the limit"
        )
    )]
    MinAdmins { min: u32, found: usize },

    /// An automatic top-up under the platform's minimum.
    #[error("top-up `amount` {amount} is under the minimum of 10")]
    #[diagnostic(code(manifest::top_up_minimum), help("set `amount` to 10 or more"))]
    TopUpTooSmall { amount: f64 },

    /// A time zone the tz database does not have.
    #[error("`{zone}` is not a time zone")]
    #[diagnostic(code(manifest::unknown_timezone))]
    UnknownTimezone {
        zone: String,
        #[help]
        help: String,
    },

    /// Two business-hour ranges that overlap on one day.
    #[error("business hours overlap on {day}: `{first}` and `{second}`")]
    #[diagnostic(code(manifest::hours_overlap), help("merge the two ranges or move one of them"))]
    HoursOverlap { day: String, first: String, second: String },

    /// A business-hour range whose end is not after its start.
    #[error("`{range}` does not end after it starts")]
    #[diagnostic(code(manifest::hours_backwards), help("write the range as `start-end`"))]
    RangeBackwards { range: String },

    /// A day range written backwards, such as `fri-mon`.
    #[error("day range `{days}` runs backwards")]
    #[diagnostic(code(manifest::days_backwards), help("write day ranges in week order, `mon-fri`"))]
    DaysBackwards { days: String },

    /// `options` on a field that is not a list.
    #[error("`options` are only for `list` fields; this field is `{field_type}`")]
    #[diagnostic(code(manifest::options_not_list), help("remove `options` or set `type: list`"))]
    OptionsNotList { field_type: String },

    /// A list field with no options.
    #[error("a `list` field needs `options`")]
    #[diagnostic(code(manifest::list_without_options), help("add the values it offers"))]
    ListWithoutOptions,

    /// `renamed_from` naming a tag that the manifest also declares.
    #[error("`renamed_from` names `{name}`, which is also declared as a tag")]
    #[diagnostic(
        code(manifest::rename_onto_declared),
        help(
            "a tag cannot be renamed while it is kept: drop it from `renamed_from` or from `tags`"
        )
    )]
    RenamedFromDeclared { name: String },

    /// The checked document does not fit the typed model.
    #[error("the manifest does not fit the model: {message}")]
    #[diagnostic(code(manifest::model))]
    Model { message: String },
}
