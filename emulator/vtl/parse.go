package vtl

import (
	"fmt"
	"strconv"
	"strings"
)

// node is one piece of a parsed template.
type node interface{}

type textNode struct{ s string }

type refNode struct {
	ref *refExpr
}

type setNode struct {
	target *refExpr
	value  expr
}

type ifBranch struct {
	cond expr
	body []node
}

type ifNode struct {
	branches []ifBranch
	els      []node
}

type foreachNode struct {
	varName string
	iter    expr
	body    []node
}

// expr is an expression inside a directive or method argument.
type expr interface{}

type litExpr struct{ v any }

// interpExpr is a double-quoted string literal: Velocity interpolates it.
type interpExpr struct{ body []node }

type listExpr struct{ items []expr }

type rangeExpr struct{ from, to expr }

type mapExpr struct {
	keys []expr
	vals []expr
}

type unaryExpr struct {
	op string
	x  expr
}

type binExpr struct {
	op   string
	l, r expr
}

// accessor is one ".name", ".name(args)" or "[index]" step of a reference.
type accessor struct {
	name  string
	call  bool
	args  []expr
	index expr // set for [index]
}

type refExpr struct {
	raw   string // the source text, rendered as-is when the reference is unresolved
	quiet bool   // $!x renders nothing instead of its source text
	root  string
	chain []accessor
}

type parser struct {
	src string
	p   int
}

// SyntaxError reports where a template could not be parsed.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("vtl: line %d col %d: %s", e.Line, e.Col, e.Msg)
}

func (ps *parser) errf(at int, format string, a ...any) error {
	line, col := 1, 1
	for i := 0; i < at && i < len(ps.src); i++ {
		if ps.src[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}
}

// parseBody parses nodes until EOF or one of the stop directives, which it
// returns without consuming (stop == "" at EOF).
func (ps *parser) parseBody(stops ...string) ([]node, string, error) {
	var nodes []node
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			nodes = append(nodes, &textNode{text.String()})
			text.Reset()
		}
	}
	// trimTrailingWS removes the indentation before a directive that sits
	// alone on its line, so "lines" gobbling leaves no stray blanks.
	trimTrailingWS := func() {
		s := text.String()
		t := strings.TrimRight(s, " \t")
		text.Reset()
		text.WriteString(t)
	}
	for ps.p < len(ps.src) {
		c := ps.src[ps.p]
		switch c {
		case '$':
			start := ps.p
			ref, ok, err := ps.parseRef()
			if err != nil {
				return nil, "", err
			}
			if !ok {
				ps.p = start + 1
				text.WriteByte('$')
				continue
			}
			flush()
			nodes = append(nodes, &refNode{ref})
		case '#':
			start := ps.p
			if strings.HasPrefix(ps.src[ps.p:], "##") {
				// A line comment eats its newline; alone on a line it also eats
				// the indentation, so it leaves no blank line behind.
				alone := ps.lineStartWS(start)
				end := strings.IndexByte(ps.src[ps.p:], '\n')
				if end < 0 {
					ps.p = len(ps.src)
				} else {
					ps.p += end + 1
				}
				if alone {
					trimTrailingWS()
				}
				continue
			}
			if strings.HasPrefix(ps.src[ps.p:], "#*") {
				end := strings.Index(ps.src[ps.p+2:], "*#")
				if end < 0 {
					return nil, "", ps.errf(start, "unterminated #* comment")
				}
				alone := ps.lineStartWS(start)
				ps.p += 2 + end + 2
				if alone && ps.gobbleEOL() {
					trimTrailingWS()
				}
				continue
			}
			if strings.HasPrefix(ps.src[ps.p:], "#[[") {
				end := strings.Index(ps.src[ps.p+3:], "]]#")
				if end < 0 {
					return nil, "", ps.errf(start, "unterminated #[[ block")
				}
				text.WriteString(ps.src[ps.p+3 : ps.p+3+end])
				ps.p += 3 + end + 3
				continue
			}
			name, after := ps.directiveName()
			if name == "" {
				text.WriteByte('#')
				ps.p++
				continue
			}
			for _, s := range stops {
				if name == s {
					return ps.finish(nodes, &text), name, nil
				}
			}
			alone := ps.lineStartWS(start)
			switch name {
			case "set":
				ps.p = after
				n, err := ps.parseSet()
				if err != nil {
					return nil, "", err
				}
				if alone && ps.gobbleEOL() {
					trimTrailingWS()
				}
				flush()
				nodes = append(nodes, n)
			case "if":
				ps.p = after
				if alone && ps.restIsDirectiveLine() {
					trimTrailingWS()
				}
				flush()
				n, err := ps.parseIf(alone)
				if err != nil {
					return nil, "", err
				}
				nodes = append(nodes, n)
			case "foreach":
				ps.p = after
				if alone && ps.restIsDirectiveLine() {
					trimTrailingWS()
				}
				flush()
				n, err := ps.parseForeach(alone)
				if err != nil {
					return nil, "", err
				}
				nodes = append(nodes, n)
			case "else", "elseif", "end":
				return nil, "", ps.errf(start, "#%s without #if", name)
			default:
				text.WriteByte('#')
				ps.p++
			}
		default:
			text.WriteByte(c)
			ps.p++
		}
	}
	flush()
	return nodes, "", nil
}

func (ps *parser) finish(nodes []node, text *strings.Builder) []node {
	if text.Len() > 0 {
		nodes = append(nodes, &textNode{text.String()})
	}
	return nodes
}

// directiveName reads "#name" or "#{name}" at ps.p without consuming it.
func (ps *parser) directiveName() (string, int) {
	i := ps.p + 1
	braced := i < len(ps.src) && ps.src[i] == '{'
	if braced {
		i++
	}
	j := i
	for j < len(ps.src) && isLetter(ps.src[j]) {
		j++
	}
	name := ps.src[i:j]
	switch name {
	case "set", "if", "elseif", "else", "end", "foreach":
	default:
		return "", 0
	}
	if braced {
		if j >= len(ps.src) || ps.src[j] != '}' {
			return "", 0
		}
		j++
	}
	return name, j
}

func (ps *parser) lineStartWS(pos int) bool {
	i := pos - 1
	for i >= 0 && (ps.src[i] == ' ' || ps.src[i] == '\t') {
		i--
	}
	return i < 0 || ps.src[i] == '\n'
}

// gobbleEOL consumes trailing blanks and one newline if nothing else
// follows on the line.
func (ps *parser) gobbleEOL() bool {
	i := ps.p
	for i < len(ps.src) && (ps.src[i] == ' ' || ps.src[i] == '\t' || ps.src[i] == '\r') {
		i++
	}
	if i == len(ps.src) {
		ps.p = i
		return true
	}
	if ps.src[i] == '\n' {
		ps.p = i + 1
		return true
	}
	return false
}

// restIsDirectiveLine reports whether the directive header that starts at
// ps.p (an argument list) is followed only by blanks up to the newline.
func (ps *parser) restIsDirectiveLine() bool {
	i := ps.p
	for i < len(ps.src) && (ps.src[i] == ' ' || ps.src[i] == '\t') {
		i++
	}
	if i >= len(ps.src) || ps.src[i] != '(' {
		return false
	}
	depth := 0
	inStr := byte(0)
	for ; i < len(ps.src); i++ {
		c := ps.src[i]
		if inStr != 0 {
			if c == inStr {
				inStr = 0
			}
			continue
		}
		switch c {
		case '"', '\'':
			inStr = c
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				j := i + 1
				for j < len(ps.src) && (ps.src[j] == ' ' || ps.src[j] == '\t' || ps.src[j] == '\r') {
					j++
				}
				return j == len(ps.src) || ps.src[j] == '\n'
			}
		}
	}
	return false
}

func (ps *parser) parseSet() (node, error) {
	start := ps.p
	ps.skipWS()
	if !ps.eat('(') {
		return nil, ps.errf(start, "#set needs (")
	}
	ps.skipWS()
	if ps.p >= len(ps.src) || ps.src[ps.p] != '$' {
		return nil, ps.errf(ps.p, "#set needs a $reference on the left")
	}
	ref, ok, err := ps.parseRef()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ps.errf(ps.p, "bad #set target")
	}
	ps.skipWS()
	if !ps.eat('=') {
		return nil, ps.errf(ps.p, "#set needs =")
	}
	val, err := ps.parseExpr()
	if err != nil {
		return nil, err
	}
	ps.skipWS()
	if !ps.eat(')') {
		return nil, ps.errf(ps.p, "#set needs )")
	}
	return &setNode{target: ref, value: val}, nil
}

func (ps *parser) parseCond() (expr, error) {
	start := ps.p
	ps.skipWS()
	if !ps.eat('(') {
		return nil, ps.errf(start, "condition needs (")
	}
	e, err := ps.parseExpr()
	if err != nil {
		return nil, err
	}
	ps.skipWS()
	if !ps.eat(')') {
		return nil, ps.errf(ps.p, "condition needs )")
	}
	return e, nil
}

func (ps *parser) parseIf(alone bool) (node, error) {
	n := &ifNode{}
	cond, err := ps.parseCond()
	if err != nil {
		return nil, err
	}
	if alone {
		ps.gobbleEOL()
	}
	for {
		body, stop, err := ps.parseBody("elseif", "else", "end")
		if err != nil {
			return nil, err
		}
		if stop == "" {
			return nil, ps.errf(ps.p, "#if without #end")
		}
		n.branches = append(n.branches, ifBranch{cond, body})
		stopAlone := ps.consumeStop()
		switch stop {
		case "end", "else":
			if stopAlone && ps.gobbleEOL() {
				trimLastText(body)
			}
			if stop == "end" {
				return n, nil
			}
			els, stop2, err := ps.parseBody("end", "else", "elseif")
			if err != nil {
				return nil, err
			}
			if stop2 != "end" {
				return nil, ps.errf(ps.p, "#else must be followed by #end")
			}
			if ps.consumeStop() && ps.gobbleEOL() {
				trimLastText(els)
			}
			n.els = els
			return n, nil
		case "elseif":
			cond, err = ps.parseCond()
			if err != nil {
				return nil, err
			}
			if stopAlone && ps.gobbleEOL() {
				trimLastText(body)
			}
		}
	}
}

// consumeStop steps over a stop directive (#else, #elseif, #end) at ps.p
// and reports whether it starts its line.
func (ps *parser) consumeStop() bool {
	alone := ps.lineStartWS(ps.p)
	_, after := ps.directiveName()
	ps.p = after
	return alone
}

// trimLastText strips the indentation before a stop directive that sits
// alone on its line.
func trimLastText(body []node) {
	if len(body) == 0 {
		return
	}
	if t, ok := body[len(body)-1].(*textNode); ok {
		s := strings.TrimRight(t.s, " \t")
		if s == "" || strings.HasSuffix(s, "\n") {
			t.s = s
		}
	}
}

func (ps *parser) parseForeach(alone bool) (node, error) {
	start := ps.p
	ps.skipWS()
	if !ps.eat('(') {
		return nil, ps.errf(start, "#foreach needs (")
	}
	ps.skipWS()
	if !ps.eat('$') {
		return nil, ps.errf(ps.p, "#foreach needs a $variable")
	}
	name := ps.ident()
	if name == "" {
		return nil, ps.errf(ps.p, "#foreach needs a $variable")
	}
	ps.skipWS()
	if !strings.HasPrefix(ps.src[ps.p:], "in") {
		return nil, ps.errf(ps.p, "#foreach needs 'in'")
	}
	ps.p += 2
	iter, err := ps.parseExpr()
	if err != nil {
		return nil, err
	}
	ps.skipWS()
	if !ps.eat(')') {
		return nil, ps.errf(ps.p, "#foreach needs )")
	}
	if alone {
		ps.gobbleEOL()
	}
	body, stop, err := ps.parseBody("end", "else", "elseif")
	if err != nil {
		return nil, err
	}
	if stop != "end" {
		return nil, ps.errf(ps.p, "#foreach without #end")
	}
	if ps.consumeStop() && ps.gobbleEOL() {
		trimLastText(body)
	}
	return &foreachNode{varName: name, iter: iter, body: body}, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool {
	return isLetter(c) || c == '_'
}
func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

func (ps *parser) ident() string {
	i := ps.p
	if i >= len(ps.src) || !isIdentStart(ps.src[i]) {
		return ""
	}
	for i < len(ps.src) && isIdentPart(ps.src[i]) {
		i++
	}
	s := ps.src[ps.p:i]
	ps.p = i
	return s
}

func (ps *parser) skipWS() {
	for ps.p < len(ps.src) {
		switch ps.src[ps.p] {
		case ' ', '\t', '\n', '\r':
			ps.p++
		default:
			return
		}
	}
}

func (ps *parser) eat(c byte) bool {
	if ps.p < len(ps.src) && ps.src[ps.p] == c {
		ps.p++
		return true
	}
	return false
}

// parseRef parses a reference at ps.p ('$'). ok is false when the '$' does
// not start a reference, in which case Velocity renders it literally.
func (ps *parser) parseRef() (*refExpr, bool, error) {
	start := ps.p
	ps.p++ // '$'
	r := &refExpr{}
	if ps.p < len(ps.src) && ps.src[ps.p] == '!' {
		r.quiet = true
		ps.p++
	}
	formal := ps.eat('{')
	r.root = ps.ident()
	if r.root == "" {
		ps.p = start
		return nil, false, nil
	}
	for ps.p < len(ps.src) {
		c := ps.src[ps.p]
		if c == '.' && ps.p+1 < len(ps.src) && isIdentStart(ps.src[ps.p+1]) {
			ps.p++
			a := accessor{name: ps.ident()}
			if ps.p < len(ps.src) && ps.src[ps.p] == '(' {
				ps.p++
				args, err := ps.parseArgs(')')
				if err != nil {
					return nil, false, err
				}
				a.call = true
				a.args = args
			}
			r.chain = append(r.chain, a)
			continue
		}
		if c == '[' {
			save := ps.p
			ps.p++
			idx, err := ps.parseExpr()
			if err != nil {
				ps.p = save
				break
			}
			ps.skipWS()
			if !ps.eat(']') {
				ps.p = save
				break
			}
			r.chain = append(r.chain, accessor{index: idx})
			continue
		}
		break
	}
	if formal && !ps.eat('}') {
		ps.p = start
		return nil, false, nil
	}
	r.raw = ps.src[start:ps.p]
	return r, true, nil
}

func (ps *parser) parseArgs(closer byte) ([]expr, error) {
	var args []expr
	ps.skipWS()
	if ps.eat(closer) {
		return nil, nil
	}
	for {
		e, err := ps.parseExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		ps.skipWS()
		if ps.eat(closer) {
			return args, nil
		}
		if !ps.eat(',') {
			return nil, ps.errf(ps.p, "expected , or %c", closer)
		}
	}
}

// Expression grammar, loosest first: or, and, equality, relational,
// additive, multiplicative, unary, primary.
func (ps *parser) parseExpr() (expr, error) { return ps.parseOr() }

func (ps *parser) word(w string) bool {
	ps.skipWS()
	if strings.HasPrefix(ps.src[ps.p:], w) {
		end := ps.p + len(w)
		if end == len(ps.src) || !isIdentPart(ps.src[end]) {
			ps.p = end
			return true
		}
	}
	return false
}

func (ps *parser) sym(s string) bool {
	ps.skipWS()
	if strings.HasPrefix(ps.src[ps.p:], s) {
		ps.p += len(s)
		return true
	}
	return false
}

func (ps *parser) parseOr() (expr, error) {
	l, err := ps.parseAnd()
	if err != nil {
		return nil, err
	}
	for ps.sym("||") || ps.word("or") {
		r, err := ps.parseAnd()
		if err != nil {
			return nil, err
		}
		l = &binExpr{"||", l, r}
	}
	return l, nil
}

func (ps *parser) parseAnd() (expr, error) {
	l, err := ps.parseEq()
	if err != nil {
		return nil, err
	}
	for ps.sym("&&") || ps.word("and") {
		r, err := ps.parseEq()
		if err != nil {
			return nil, err
		}
		l = &binExpr{"&&", l, r}
	}
	return l, nil
}

func (ps *parser) parseEq() (expr, error) {
	l, err := ps.parseRel()
	if err != nil {
		return nil, err
	}
	for {
		var op string
		switch {
		case ps.sym("=="), ps.word("eq"):
			op = "=="
		case ps.sym("!="), ps.word("ne"):
			op = "!="
		default:
			return l, nil
		}
		r, err := ps.parseRel()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op, l, r}
	}
}

func (ps *parser) parseRel() (expr, error) {
	l, err := ps.parseAdd()
	if err != nil {
		return nil, err
	}
	for {
		var op string
		switch {
		case ps.sym("<="), ps.word("le"):
			op = "<="
		case ps.sym(">="), ps.word("ge"):
			op = ">="
		case ps.sym("<"), ps.word("lt"):
			op = "<"
		case ps.sym(">"), ps.word("gt"):
			op = ">"
		default:
			return l, nil
		}
		r, err := ps.parseAdd()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op, l, r}
	}
}

func (ps *parser) parseAdd() (expr, error) {
	l, err := ps.parseMul()
	if err != nil {
		return nil, err
	}
	for {
		var op string
		switch {
		case ps.sym("+"):
			op = "+"
		case ps.peekMinus():
			op = "-"
		default:
			return l, nil
		}
		r, err := ps.parseMul()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op, l, r}
	}
}

// peekMinus consumes a binary '-' but leaves "->" and the ".." of ranges.
func (ps *parser) peekMinus() bool {
	ps.skipWS()
	if ps.p < len(ps.src) && ps.src[ps.p] == '-' {
		ps.p++
		return true
	}
	return false
}

func (ps *parser) parseMul() (expr, error) {
	l, err := ps.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		var op string
		switch {
		case ps.sym("*"):
			op = "*"
		case ps.sym("/"):
			op = "/"
		case ps.sym("%"):
			op = "%"
		default:
			return l, nil
		}
		r, err := ps.parseUnary()
		if err != nil {
			return nil, err
		}
		l = &binExpr{op, l, r}
	}
}

func (ps *parser) parseUnary() (expr, error) {
	ps.skipWS()
	if ps.p < len(ps.src) && ps.src[ps.p] == '!' && !strings.HasPrefix(ps.src[ps.p:], "!=") {
		ps.p++
		x, err := ps.parseUnary()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{"!", x}, nil
	}
	if ps.word("not") {
		x, err := ps.parseUnary()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{"!", x}, nil
	}
	if ps.p < len(ps.src) && ps.src[ps.p] == '-' && ps.p+1 < len(ps.src) && isDigit(ps.src[ps.p+1]) {
		ps.p++
		x, err := ps.parsePrimary()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{"-", x}, nil
	}
	return ps.parsePrimary()
}

func (ps *parser) parsePrimary() (expr, error) {
	ps.skipWS()
	if ps.p >= len(ps.src) {
		return nil, ps.errf(ps.p, "unexpected end of template in expression")
	}
	c := ps.src[ps.p]
	switch {
	case c == '(':
		ps.p++
		e, err := ps.parseExpr()
		if err != nil {
			return nil, err
		}
		ps.skipWS()
		if !ps.eat(')') {
			return nil, ps.errf(ps.p, "expected )")
		}
		return e, nil
	case c == '$':
		r, ok, err := ps.parseRef()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ps.errf(ps.p, "bad reference")
		}
		return r, nil
	case c == '\'' || c == '"':
		return ps.parseString(c)
	case isDigit(c):
		return ps.parseNumber()
	case c == '[':
		ps.p++
		ps.skipWS()
		if ps.eat(']') {
			return &listExpr{}, nil
		}
		first, err := ps.parseExpr()
		if err != nil {
			return nil, err
		}
		if ps.sym("..") {
			to, err := ps.parseExpr()
			if err != nil {
				return nil, err
			}
			ps.skipWS()
			if !ps.eat(']') {
				return nil, ps.errf(ps.p, "expected ]")
			}
			return &rangeExpr{first, to}, nil
		}
		items := []expr{first}
		for {
			ps.skipWS()
			if ps.eat(']') {
				return &listExpr{items}, nil
			}
			if !ps.eat(',') {
				return nil, ps.errf(ps.p, "expected , or ]")
			}
			e, err := ps.parseExpr()
			if err != nil {
				return nil, err
			}
			items = append(items, e)
		}
	case c == '{':
		ps.p++
		m := &mapExpr{}
		ps.skipWS()
		if ps.eat('}') {
			return m, nil
		}
		for {
			k, err := ps.parseExpr()
			if err != nil {
				return nil, err
			}
			ps.skipWS()
			if !ps.eat(':') {
				return nil, ps.errf(ps.p, "expected : in map literal")
			}
			v, err := ps.parseExpr()
			if err != nil {
				return nil, err
			}
			m.keys = append(m.keys, k)
			m.vals = append(m.vals, v)
			ps.skipWS()
			if ps.eat('}') {
				return m, nil
			}
			if !ps.eat(',') {
				return nil, ps.errf(ps.p, "expected , or } in map literal")
			}
		}
	case ps.word("true"):
		return &litExpr{true}, nil
	case ps.word("false"):
		return &litExpr{false}, nil
	case ps.word("null"):
		return &litExpr{nil}, nil
	}
	return nil, ps.errf(ps.p, "unexpected %q in expression", c)
}

// parseString reads a string literal. Velocity processes no backslash
// escapes; a doubled quote stands for one quote.
func (ps *parser) parseString(q byte) (expr, error) {
	start := ps.p
	ps.p++
	var b strings.Builder
	for {
		if ps.p >= len(ps.src) {
			return nil, ps.errf(start, "unterminated string")
		}
		c := ps.src[ps.p]
		if c == q {
			if ps.p+1 < len(ps.src) && ps.src[ps.p+1] == q {
				b.WriteByte(q)
				ps.p += 2
				continue
			}
			ps.p++
			break
		}
		b.WriteByte(c)
		ps.p++
	}
	s := b.String()
	if q == '\'' || !strings.ContainsAny(s, "$#") {
		return &litExpr{s}, nil
	}
	sub := &parser{src: s}
	body, stop, err := sub.parseBody()
	if err != nil {
		return nil, err
	}
	if stop != "" {
		return nil, ps.errf(start, "unexpected #%s in string", stop)
	}
	return &interpExpr{body}, nil
}

func (ps *parser) parseNumber() (expr, error) {
	start := ps.p
	for ps.p < len(ps.src) && isDigit(ps.src[ps.p]) {
		ps.p++
	}
	isFloat := false
	if ps.p+1 < len(ps.src) && ps.src[ps.p] == '.' && isDigit(ps.src[ps.p+1]) {
		isFloat = true
		ps.p++
		for ps.p < len(ps.src) && isDigit(ps.src[ps.p]) {
			ps.p++
		}
	}
	s := ps.src[start:ps.p]
	if isFloat {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, ps.errf(start, "bad number %q", s)
		}
		return &litExpr{f}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, ps.errf(start, "bad number %q", s)
	}
	return &litExpr{n}, nil
}
