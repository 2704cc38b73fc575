package vtl

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Template is a parsed mapping template. It is safe for concurrent use.
type Template struct {
	body []node
}

// Parse parses a mapping template.
func Parse(src string) (*Template, error) {
	ps := &parser{src: src}
	body, stop, err := ps.parseBody()
	if err != nil {
		return nil, err
	}
	if stop != "" {
		return nil, ps.errf(ps.p, "unexpected #%s", stop)
	}
	return &Template{body: body}, nil
}

// Limits API Gateway puts on template execution.
const (
	// MaxForeach is API Gateway's cap on #foreach iterations.
	MaxForeach = 1000
	// maxOutput bounds a runaway template; far above any real body.
	maxOutput = 10 << 20
)

// ErrOutputTooLarge is returned when rendering exceeds the output bound.
var ErrOutputTooLarge = errors.New("vtl: rendered output too large")

// Object is a value with properties and methods, such as $input or $util.
// Methods return (value, true, nil) when handled, (_, false, nil) when the
// method does not exist (the reference then renders as its source text, as
// Velocity does), or an error that aborts rendering.
type Object interface {
	Property(name string) (any, bool)
	Method(name string, args []any) (any, bool, error)
}

// Render executes the template with the given root variables ($input,
// $context, $util, ...). Values may be nil, string, bool, int64, float64,
// []any, *Map or Object.
func (t *Template) Render(vars map[string]any) (string, error) {
	e := &evaluator{vars: map[string]any{}}
	for k, v := range vars {
		e.vars[k] = v
	}
	var out strings.Builder
	if err := e.run(t.body, &out); err != nil {
		return "", err
	}
	return out.String(), nil
}

type evaluator struct {
	vars map[string]any
}

func (e *evaluator) run(nodes []node, out *strings.Builder) error {
	for _, n := range nodes {
		if out.Len() > maxOutput {
			return ErrOutputTooLarge
		}
		switch n := n.(type) {
		case *textNode:
			out.WriteString(n.s)
		case *refNode:
			v, ok, err := e.evalRef(n.ref)
			if err != nil {
				return err
			}
			switch {
			case !ok && n.ref.quiet:
			case !ok:
				out.WriteString(n.ref.raw)
			default:
				out.WriteString(ToString(v))
			}
		case *setNode:
			v, err := e.eval(n.value)
			if err != nil {
				return err
			}
			if err := e.assign(n.target, v); err != nil {
				return err
			}
		case *ifNode:
			done := false
			for _, b := range n.branches {
				c, err := e.eval(b.cond)
				if err != nil {
					return err
				}
				if truthy(c) {
					if err := e.run(b.body, out); err != nil {
						return err
					}
					done = true
					break
				}
			}
			if !done && n.els != nil {
				if err := e.run(n.els, out); err != nil {
					return err
				}
			}
		case *foreachNode:
			it, err := e.eval(n.iter)
			if err != nil {
				return err
			}
			items := iterate(it)
			saved, had := e.vars[n.varName]
			savedFE, hadFE := e.vars["foreach"]
			for i, item := range items {
				if i >= MaxForeach {
					break
				}
				e.vars[n.varName] = item
				e.vars["foreach"] = NewMap("index", int64(i), "count", int64(i+1),
					"hasNext", i+1 < len(items) && i+1 < MaxForeach,
					"first", i == 0, "last", i+1 == len(items))
				if err := e.run(n.body, out); err != nil {
					return err
				}
			}
			restore(e.vars, n.varName, saved, had)
			restore(e.vars, "foreach", savedFE, hadFE)
		}
	}
	return nil
}

func restore(m map[string]any, k string, v any, had bool) {
	if had {
		m[k] = v
	} else {
		delete(m, k)
	}
}

func iterate(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case *Map:
		out := make([]any, 0, len(v.keys))
		for _, k := range v.keys {
			out = append(out, v.m[k])
		}
		return out
	}
	return nil
}

func (e *evaluator) assign(r *refExpr, v any) error {
	if len(r.chain) == 0 {
		e.vars[r.root] = v
		return nil
	}
	base, ok, err := e.walk(r.root, r.chain[:len(r.chain)-1])
	if err != nil || !ok {
		return err
	}
	last := r.chain[len(r.chain)-1]
	m, isMap := base.(*Map)
	if !isMap || last.call {
		return nil
	}
	if last.index != nil {
		k, err := e.eval(last.index)
		if err != nil {
			return err
		}
		m.Put(ToString(k), v)
		return nil
	}
	m.Put(last.name, v)
	return nil
}

func (e *evaluator) evalRef(r *refExpr) (any, bool, error) {
	return e.walk(r.root, r.chain)
}

// walk resolves a reference. ok is false when it cannot be resolved
// (undefined root or a method the value does not have).
func (e *evaluator) walk(root string, chain []accessor) (any, bool, error) {
	v, ok := e.vars[root]
	if !ok {
		return nil, false, nil
	}
	for _, a := range chain {
		if a.index != nil {
			idx, err := e.eval(a.index)
			if err != nil {
				return nil, false, err
			}
			v = indexValue(v, idx)
			continue
		}
		if a.call {
			args := make([]any, len(a.args))
			for i, x := range a.args {
				av, err := e.eval(x)
				if err != nil {
					return nil, false, err
				}
				args[i] = av
			}
			if v == nil {
				return nil, true, nil
			}
			r, handled, err := callMethod(v, a.name, args)
			if err != nil {
				return nil, false, err
			}
			if !handled {
				return nil, false, nil
			}
			v = r
			continue
		}
		if v == nil {
			return nil, true, nil
		}
		v = property(v, a.name)
	}
	return v, true, nil
}

func indexValue(v, idx any) any {
	switch v := v.(type) {
	case []any:
		i, ok := toInt(idx)
		if !ok || i < 0 || int(i) >= len(v) {
			return nil
		}
		return v[i]
	case *Map:
		return v.Get(ToString(idx))
	}
	return nil
}

func property(v any, name string) any {
	switch v := v.(type) {
	case *Map:
		return v.Get(name)
	case Object:
		p, _ := v.Property(name)
		return p
	case []any:
		if name == "size" || name == "empty" {
			if name == "empty" {
				return len(v) == 0
			}
			return int64(len(v))
		}
	case string:
		if name == "empty" {
			return v == ""
		}
		if name == "bytes" {
			return v
		}
	}
	return nil
}

func (e *evaluator) eval(x expr) (any, error) {
	switch x := x.(type) {
	case *litExpr:
		return x.v, nil
	case *interpExpr:
		var b strings.Builder
		if err := e.run(x.body, &b); err != nil {
			return nil, err
		}
		return b.String(), nil
	case *refExpr:
		v, ok, err := e.evalRef(x)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, nil
		}
		return v, nil
	case *listExpr:
		out := make([]any, 0, len(x.items))
		for _, it := range x.items {
			v, err := e.eval(it)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *rangeExpr:
		f, err := e.eval(x.from)
		if err != nil {
			return nil, err
		}
		t, err := e.eval(x.to)
		if err != nil {
			return nil, err
		}
		a, ok1 := toInt(f)
		b, ok2 := toInt(t)
		if !ok1 || !ok2 {
			return nil, nil
		}
		var out []any
		step := int64(1)
		if b < a {
			step = -1
		}
		for i := a; len(out) <= MaxForeach; i += step {
			out = append(out, i)
			if i == b {
				break
			}
		}
		return out, nil
	case *mapExpr:
		m := NewMap()
		for i := range x.keys {
			k, err := e.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := e.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			m.Put(ToString(k), v)
		}
		return m, nil
	case *unaryExpr:
		v, err := e.eval(x.x)
		if err != nil {
			return nil, err
		}
		if x.op == "!" {
			return !truthy(v), nil
		}
		if i, ok := v.(int64); ok {
			return -i, nil
		}
		if f, ok := v.(float64); ok {
			return -f, nil
		}
		return nil, nil
	case *binExpr:
		return e.evalBin(x)
	}
	return nil, fmt.Errorf("vtl: unknown expression %T", x)
}

func (e *evaluator) evalBin(x *binExpr) (any, error) {
	l, err := e.eval(x.l)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		r, err := e.eval(x.r)
		return truthy(r), err
	case "||":
		if truthy(l) {
			return true, nil
		}
		r, err := e.eval(x.r)
		return truthy(r), err
	}
	r, err := e.eval(x.r)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "<", "<=", ">", ">=":
		c, ok := compare(l, r)
		if !ok {
			return false, nil
		}
		switch x.op {
		case "<":
			return c < 0, nil
		case "<=":
			return c <= 0, nil
		case ">":
			return c > 0, nil
		default:
			return c >= 0, nil
		}
	}
	return arith(x.op, l, r), nil
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	}
	return true
}

func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case float64:
		return int64(v), true
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return i, err == nil
	}
	return 0, false
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// equal follows Velocity: numbers compare numerically, values of the same
// kind with equals(), anything else by their string forms.
func equal(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	fa, oka := toFloat(a)
	fb, okb := toFloat(b)
	if oka && okb {
		return fa == fb
	}
	return ToString(a) == ToString(b)
}

func compare(a, b any) (int, bool) {
	fa, oka := toFloat(a)
	fb, okb := toFloat(b)
	if oka && okb {
		switch {
		case fa < fb:
			return -1, true
		case fa > fb:
			return 1, true
		}
		return 0, true
	}
	sa, oka := a.(string)
	sb, okb := b.(string)
	if oka && okb {
		return strings.Compare(sa, sb), true
	}
	return 0, false
}

func arith(op string, a, b any) any {
	ia, aInt := a.(int64)
	ib, bInt := b.(int64)
	if aInt && bInt {
		switch op {
		case "+":
			return ia + ib
		case "-":
			return ia - ib
		case "*":
			return ia * ib
		case "/":
			if ib == 0 {
				return nil
			}
			return ia / ib
		case "%":
			if ib == 0 {
				return nil
			}
			return ia % ib
		}
	}
	fa, ok1 := toFloat(a)
	fb, ok2 := toFloat(b)
	if !ok1 || !ok2 {
		return nil
	}
	switch op {
	case "+":
		return fa + fb
	case "-":
		return fa - fb
	case "*":
		return fa * fb
	case "/":
		if fb == 0 {
			return nil
		}
		return fa / fb
	case "%":
		return math.Mod(fa, fb)
	}
	return nil
}

// ToString renders a value the way Java's toString() would inside
// Velocity output: null renders empty (API Gateway's behaviour), maps as
// {k=v, ...} and lists as [a, b].
func ToString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		return javaDouble(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = ToString(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *Map:
		parts := make([]string, 0, len(v.keys))
		for _, k := range v.keys {
			parts = append(parts, k+"="+ToString(v.m[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// javaDouble approximates Double.toString: integral values keep ".0".
func javaDouble(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e7 {
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Map is an insertion-ordered map, like the LinkedHashMap a JSON parser
// gives Velocity.
type Map struct {
	keys []string
	m    map[string]any
}

// NewMap builds a map from alternating keys and values.
func NewMap(kv ...any) *Map {
	m := &Map{m: map[string]any{}}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Put(kv[i].(string), kv[i+1])
	}
	return m
}

// Put sets a key, keeping first-insertion order.
func (m *Map) Put(k string, v any) {
	if _, ok := m.m[k]; !ok {
		m.keys = append(m.keys, k)
	}
	m.m[k] = v
}

// Get returns the value for k, or nil.
func (m *Map) Get(k string) any { return m.m[k] }

// Keys returns the keys in insertion order.
func (m *Map) Keys() []string { return append([]string(nil), m.keys...) }

func callMethod(v any, name string, args []any) (any, bool, error) {
	switch v := v.(type) {
	case Object:
		return v.Method(name, args)
	case string:
		return stringMethod(v, name, args)
	case *Map:
		return mapMethod(v, name, args)
	case []any:
		return listMethod(v, name, args)
	case int64, float64, bool:
		if name == "toString" && len(args) == 0 {
			return ToString(v), true, nil
		}
		if name == "equals" && len(args) == 1 {
			return equal(v, args[0]), true, nil
		}
	}
	return nil, false, nil
}

func argString(args []any, i int) string {
	if i < len(args) {
		return ToString(args[i])
	}
	return ""
}

func stringMethod(s, name string, args []any) (any, bool, error) {
	n := len(args)
	switch {
	case name == "length" && n == 0:
		return int64(len([]rune(s))), true, nil
	case name == "isEmpty" && n == 0:
		return s == "", true, nil
	case name == "toString" && n == 0:
		return s, true, nil
	case name == "trim" && n == 0:
		return strings.TrimSpace(s), true, nil
	case name == "toLowerCase" && n == 0:
		return strings.ToLower(s), true, nil
	case name == "toUpperCase" && n == 0:
		return strings.ToUpper(s), true, nil
	case name == "contains" && n == 1:
		return strings.Contains(s, argString(args, 0)), true, nil
	case name == "startsWith" && n == 1:
		return strings.HasPrefix(s, argString(args, 0)), true, nil
	case name == "endsWith" && n == 1:
		return strings.HasSuffix(s, argString(args, 0)), true, nil
	case name == "equals" && n == 1:
		return args[0] != nil && s == ToString(args[0]), true, nil
	case name == "equalsIgnoreCase" && n == 1:
		return strings.EqualFold(s, argString(args, 0)), true, nil
	case name == "indexOf" && n == 1:
		i := strings.Index(s, argString(args, 0))
		if i > 0 {
			i = len([]rune(s[:i]))
		}
		return int64(i), true, nil
	case name == "replace" && n == 2:
		return strings.ReplaceAll(s, argString(args, 0), argString(args, 1)), true, nil
	case name == "substring" && (n == 1 || n == 2):
		r := []rune(s)
		from, ok := toInt(args[0])
		to := int64(len(r))
		if n == 2 {
			to, _ = toInt(args[1])
		}
		if !ok || from < 0 || to > int64(len(r)) || from > to {
			return nil, false, fmt.Errorf("vtl: substring(%v) out of range for length %d", args, len(r))
		}
		return string(r[from:to]), true, nil
	case (name == "replaceAll" || name == "replaceFirst") && n == 2:
		re, err := javaRegexp(argString(args, 0))
		if err != nil {
			return nil, false, err
		}
		repl := javaReplacement(argString(args, 1))
		if name == "replaceAll" {
			return re.ReplaceAllString(s, repl), true, nil
		}
		done := false
		return re.ReplaceAllStringFunc(s, func(m string) string {
			if done {
				return m
			}
			done = true
			return re.ReplaceAllString(m, repl)
		}), true, nil
	case name == "matches" && n == 1:
		re, err := javaRegexp("^(?:" + argString(args, 0) + ")$")
		if err != nil {
			return nil, false, err
		}
		return re.MatchString(s), true, nil
	case name == "split" && n == 1:
		re, err := javaRegexp(argString(args, 0))
		if err != nil {
			return nil, false, err
		}
		parts := re.Split(s, -1)
		// Java drops trailing empty strings.
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, true, nil
	}
	return nil, false, nil
}

func javaRegexp(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("vtl: regex %q: %w", p, err)
	}
	return re, nil
}

// javaReplacement converts a java.util.regex replacement ("$1", "\$") to
// Go's syntax ("${1}", "$$").
func javaReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$':
			j := i + 1
			for j < len(r) && isDigit(r[j]) {
				j++
			}
			if j > i+1 {
				b.WriteString("${" + r[i+1:j] + "}")
				i = j - 1
			} else {
				b.WriteString("$$")
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func mapMethod(m *Map, name string, args []any) (any, bool, error) {
	n := len(args)
	switch {
	case name == "get" && n == 1:
		return m.Get(ToString(args[0])), true, nil
	case name == "containsKey" && n == 1:
		_, ok := m.m[ToString(args[0])]
		return ok, true, nil
	case name == "put" && n == 2:
		old := m.Get(ToString(args[0]))
		m.Put(ToString(args[0]), args[1])
		return old, true, nil
	case name == "size" && n == 0:
		return int64(len(m.keys)), true, nil
	case name == "isEmpty" && n == 0:
		return len(m.keys) == 0, true, nil
	case name == "keySet" && n == 0:
		out := make([]any, len(m.keys))
		for i, k := range m.keys {
			out[i] = k
		}
		return out, true, nil
	case name == "values" && n == 0:
		return iterate(m), true, nil
	case name == "toString" && n == 0:
		return ToString(m), true, nil
	}
	return nil, false, nil
}

func listMethod(l []any, name string, args []any) (any, bool, error) {
	n := len(args)
	switch {
	case name == "size" && n == 0:
		return int64(len(l)), true, nil
	case name == "isEmpty" && n == 0:
		return len(l) == 0, true, nil
	case name == "get" && n == 1:
		return indexValue(l, args[0]), true, nil
	case name == "contains" && n == 1:
		for _, x := range l {
			if equal(x, args[0]) {
				return true, true, nil
			}
		}
		return false, true, nil
	case name == "toString" && n == 0:
		return ToString(l), true, nil
	}
	return nil, false, nil
}
