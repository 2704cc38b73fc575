package vtl

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Vars builds the root variables API Gateway gives a mapping template:
// $input over body, the given $context and $util.
func Vars(body string, context *Map) map[string]any {
	if context == nil {
		context = NewMap()
	}
	return map[string]any{
		"input":   NewInput(body),
		"context": context,
		"util":    Util{},
	}
}

// Input is $input: the request (or integration response) body.
type Input struct {
	body   string
	parsed any
	isJSON bool
}

// NewInput wraps a body. A body that is not JSON is still available as
// $input.body; $input.path('$') and $input.json('$') then see it as one
// string value.
func NewInput(body string) *Input {
	in := &Input{body: body}
	if v, err := ParseJSON(body); err == nil {
		in.parsed, in.isJSON = v, true
	} else {
		in.parsed = body
	}
	return in
}

// Property implements Object.
func (in *Input) Property(name string) (any, bool) {
	if name == "body" {
		return in.body, true
	}
	return nil, false
}

// Method implements Object.
func (in *Input) Method(name string, args []any) (any, bool, error) {
	switch {
	case name == "path" && len(args) == 1:
		return in.selectPath(ToString(args[0]))
	case name == "json" && len(args) == 1:
		v, ok, err := in.selectPath(ToString(args[0]))
		if err != nil || !ok {
			return v, ok, err
		}
		if v == nil {
			return "", true, nil
		}
		return MarshalJSON(v), true, nil
	case name == "params" && len(args) == 0:
		return NewMap("path", NewMap(), "querystring", NewMap(), "header", NewMap()), true, nil
	case name == "params" && len(args) == 1:
		return nil, true, nil
	case name == "getBody" && len(args) == 0:
		return in.body, true, nil
	}
	return nil, false, nil
}

func (in *Input) selectPath(path string) (any, bool, error) {
	v, err := JSONPath(in.parsed, path)
	if err != nil {
		return nil, false, err
	}
	return v, true, nil
}

// JSONPath evaluates the subset of Jayway JsonPath that mapping templates
// use: $, .name, ['name'], [n], [*] and .*. A missing member yields nil.
func JSONPath(root any, path string) (any, error) {
	path = strings.TrimSpace(path)
	if !strings.HasPrefix(path, "$") {
		return nil, fmt.Errorf("vtl: JSONPath %q must start with $", path)
	}
	cur := []any{root}
	multi := false
	p := path[1:]
	for p != "" {
		switch {
		case strings.HasPrefix(p, ".*") || strings.HasPrefix(p, "[*]"):
			if p[0] == '.' {
				p = p[2:]
			} else {
				p = p[3:]
			}
			multi = true
			var next []any
			for _, c := range cur {
				next = append(next, iterate(c)...)
			}
			cur = next
		case p[0] == '.':
			p = p[1:]
			i := 0
			for i < len(p) && p[i] != '.' && p[i] != '[' {
				i++
			}
			name := p[:i]
			p = p[i:]
			if name == "" {
				return nil, fmt.Errorf("vtl: JSONPath %q: empty member name", path)
			}
			if name == "length()" {
				for k, c := range cur {
					cur[k] = lengthOf(c)
				}
				continue
			}
			cur = members(cur, name)
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			if end < 0 {
				return nil, fmt.Errorf("vtl: JSONPath %q: missing ]", path)
			}
			sel := strings.TrimSpace(p[1:end])
			p = p[end+1:]
			if len(sel) >= 2 && (sel[0] == '\'' && sel[len(sel)-1] == '\'' || sel[0] == '"' && sel[len(sel)-1] == '"') {
				cur = members(cur, sel[1:len(sel)-1])
				continue
			}
			n, err := strconv.Atoi(sel)
			if err != nil {
				return nil, fmt.Errorf("vtl: JSONPath %q: unsupported selector [%s]", path, sel)
			}
			var next []any
			for _, c := range cur {
				l, ok := c.([]any)
				if !ok {
					continue
				}
				if n < 0 {
					n += len(l)
				}
				if n >= 0 && n < len(l) {
					next = append(next, l[n])
				}
			}
			cur = next
		default:
			return nil, fmt.Errorf("vtl: JSONPath %q: unexpected %q", path, p)
		}
	}
	if multi {
		out := make([]any, len(cur))
		copy(out, cur)
		return out, nil
	}
	if len(cur) == 0 {
		return nil, nil
	}
	return cur[0], nil
}

func members(cur []any, name string) []any {
	var next []any
	for _, c := range cur {
		if m, ok := c.(*Map); ok {
			if v, ok := m.m[name]; ok {
				next = append(next, v)
			}
		}
	}
	return next
}

func lengthOf(v any) any {
	switch v := v.(type) {
	case []any:
		return int64(len(v))
	case *Map:
		return int64(len(v.keys))
	case string:
		return int64(len([]rune(v)))
	}
	return nil
}

// ParseJSON decodes JSON into template values: *Map (ordered), []any,
// string, int64 (integral literals), float64, bool and nil.
func ParseJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("vtl: trailing data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := NewMap()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				m.Put(k, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			l := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return l, nil
		}
		return nil, fmt.Errorf("vtl: unexpected %v", t)
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(string(t), 64)
		if err != nil {
			return nil, err
		}
		return f, nil
	default:
		return t, nil // string, bool, nil
	}
}

// MarshalJSON serialises a template value compactly, escaping strings the
// way Jackson does (no HTML escaping, non-ASCII kept).
func MarshalJSON(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.String()
}

func writeJSON(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		writeJSONString(b, v)
	case bool, int64, int:
		b.WriteString(ToString(v))
	case float64:
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	case []any:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, x)
		}
		b.WriteByte(']')
	case *Map:
		b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeJSON(b, v.m[k])
		}
		b.WriteByte('}')
	default:
		writeJSONString(b, ToString(v))
	}
}

func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if c < 0x20 {
				fmt.Fprintf(b, `\u%04X`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
}

// Util is $util.
type Util struct{}

// Property implements Object.
func (Util) Property(string) (any, bool) { return nil, false }

// Method implements Object. Unknown functions are unresolved references,
// which API Gateway renders without raising an error.
func (Util) Method(name string, args []any) (any, bool, error) {
	if len(args) != 1 {
		return nil, false, nil
	}
	s := ToString(args[0])
	switch name {
	case "urlEncode":
		return URLEncode(s), true, nil
	case "urlDecode":
		d, err := URLDecode(s)
		return d, err == nil, err
	case "escapeJavaScript":
		return EscapeJavaScript(s), true, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), true, nil
	case "base64Decode":
		d, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, false, fmt.Errorf("vtl: base64Decode: %w", err)
		}
		return string(d), true, nil
	case "parseJson":
		v, err := ParseJSON(s)
		if err != nil {
			return nil, false, fmt.Errorf("vtl: parseJson: %w", err)
		}
		return v, true, nil
	}
	return nil, false, nil
}

// URLEncode is java.net.URLEncoder.encode(s, "UTF-8"), which API Gateway's
// $util.urlEncode uses ("converts a string into
// application/x-www-form-urlencoded format"): letters, digits and ".-*_"
// stay, space becomes '+', every other byte of the UTF-8 form becomes
// %XX with upper-case hex. Note that '*' is kept and '~' is encoded.
func URLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// URLDecode is java.net.URLDecoder.decode(s, "UTF-8"): '+' is a space and
// a malformed escape is an error.
func URLDecode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
		case '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", fmt.Errorf("vtl: urlDecode: illegal escape at %d", i)
			}
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// EscapeJavaScript follows Apache Commons Lang 2
// StringEscapeUtils.escapeJavaScript, the "JavaScript string rules" API
// Gateway documents: quotes (including ') and backslash and '/' are
// backslash-escaped, control characters use \b \t \n \f \r or \u00XX, and
// every UTF-16 code unit above 0x7F becomes \uXXXX (upper-case hex), so an
// emoji becomes a surrogate pair. The \' it emits is not valid JSON.
func EscapeJavaScript(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError {
			r = 0xFFFD
		}
		switch {
		case r > 0xFFFF:
			hi, lo := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04X\u%04X`, hi, lo)
		case r > 0x7F:
			fmt.Fprintf(&b, `\u%04X`, r)
		case r < 0x20:
			switch r {
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		case r == '\'' || r == '"' || r == '\\' || r == '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
