// Package schema validates a request body against a JSON Schema draft-04
// model, the way API Gateway checks a WebSocket route's request model
// before calling the integration.
//
// Supported keywords: type (single or list), required, properties,
// additionalProperties (boolean or schema), items (single schema),
// minLength, maxLength (in Unicode code points), pattern (unanchored),
// enum, minimum, maximum, minItems, maxItems. Other keywords are ignored,
// which is the lenient direction: a message the emulator accepts might
// still be refused by a model using keywords outside this list.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"unicode/utf8"
)

// Schema is a compiled model.
type Schema struct {
	types       []string
	required    []string
	properties  map[string]*Schema
	additional  *Schema
	noAdditonal bool
	items       *Schema
	minLen      *int
	maxLen      *int
	pattern     *regexp.Regexp
	enum        []any
	minimum     *float64
	maximum     *float64
	minItems    *int
	maxItems    *int
}

// Compile parses a draft-04 schema document.
func Compile(doc []byte) (*Schema, error) {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return compile(raw)
}

func compile(raw any) (*Schema, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema: expected an object, got %T", raw)
	}
	s := &Schema{}
	switch t := m["type"].(type) {
	case string:
		s.types = []string{t}
	case []any:
		for _, x := range t {
			if str, ok := x.(string); ok {
				s.types = append(s.types, str)
			}
		}
	}
	if r, ok := m["required"].([]any); ok {
		for _, x := range r {
			if str, ok := x.(string); ok {
				s.required = append(s.required, str)
			}
		}
	}
	if p, ok := m["properties"].(map[string]any); ok {
		s.properties = map[string]*Schema{}
		for k, v := range p {
			sub, err := compile(v)
			if err != nil {
				return nil, fmt.Errorf("schema: property %q: %w", k, err)
			}
			s.properties[k] = sub
		}
	}
	switch a := m["additionalProperties"].(type) {
	case bool:
		s.noAdditonal = !a
	case map[string]any:
		sub, err := compile(a)
		if err != nil {
			return nil, err
		}
		s.additional = sub
	}
	if it, ok := m["items"].(map[string]any); ok {
		sub, err := compile(it)
		if err != nil {
			return nil, err
		}
		s.items = sub
	}
	s.minLen = intKey(m, "minLength")
	s.maxLen = intKey(m, "maxLength")
	s.minItems = intKey(m, "minItems")
	s.maxItems = intKey(m, "maxItems")
	s.minimum = floatKey(m, "minimum")
	s.maximum = floatKey(m, "maximum")
	if p, ok := m["pattern"].(string); ok {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("schema: pattern %q: %w", p, err)
		}
		s.pattern = re
	}
	if e, ok := m["enum"].([]any); ok {
		s.enum = e
	}
	return s, nil
}

func intKey(m map[string]any, k string) *int {
	if n, ok := m[k].(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			v := int(i)
			return &v
		}
	}
	return nil
}

func floatKey(m map[string]any, k string) *float64 {
	if n, ok := m[k].(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return &f
		}
	}
	return nil
}

// Validate checks a message body. A body that is not JSON fails.
func (s *Schema) Validate(body []byte) error {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	if dec.More() {
		return fmt.Errorf("body is not a single JSON value")
	}
	return s.check(v, "$")
}

func typeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if r, ok := new(big.Rat).SetString(string(x)); ok && r.IsInt() {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func (s *Schema) check(v any, at string) error {
	t := typeOf(v)
	if len(s.types) > 0 {
		ok := false
		for _, want := range s.types {
			if want == t || want == "number" && t == "integer" {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("%s: instance type (%s) does not match any allowed primitive type %v", at, t, s.types)
		}
	}
	if len(s.enum) > 0 {
		found := false
		for _, e := range s.enum {
			if jsonEqual(e, v) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%s: instance value not found in enum", at)
		}
	}
	switch x := v.(type) {
	case string:
		n := utf8.RuneCountInString(x)
		if s.minLen != nil && n < *s.minLen {
			return fmt.Errorf("%s: string is too short (%d chars), minimum %d", at, n, *s.minLen)
		}
		if s.maxLen != nil && n > *s.maxLen {
			return fmt.Errorf("%s: string is too long (%d chars), maximum %d", at, n, *s.maxLen)
		}
		if s.pattern != nil && !s.pattern.MatchString(x) {
			return fmt.Errorf("%s: string does not match pattern %s", at, s.pattern)
		}
	case json.Number:
		f, _ := x.Float64()
		if s.minimum != nil && f < *s.minimum {
			return fmt.Errorf("%s: numeric instance is lower than the required minimum", at)
		}
		if s.maximum != nil && f > *s.maximum {
			return fmt.Errorf("%s: numeric instance is greater than the required maximum", at)
		}
	case []any:
		if s.minItems != nil && len(x) < *s.minItems {
			return fmt.Errorf("%s: array is too short", at)
		}
		if s.maxItems != nil && len(x) > *s.maxItems {
			return fmt.Errorf("%s: array is too long", at)
		}
		if s.items != nil {
			for i, it := range x {
				if err := s.items.check(it, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case map[string]any:
		for _, r := range s.required {
			if _, ok := x[r]; !ok {
				return fmt.Errorf("%s: object has missing required property %q", at, r)
			}
		}
		for k, pv := range x {
			if sub, ok := s.properties[k]; ok {
				if err := sub.check(pv, at+"."+k); err != nil {
					return err
				}
				continue
			}
			if s.noAdditonal {
				return fmt.Errorf("%s: object instance has property %q not allowed by the schema", at, k)
			}
			if s.additional != nil {
				if err := s.additional.check(pv, at+"."+k); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func jsonEqual(a, b any) bool {
	na, ok1 := a.(json.Number)
	nb, ok2 := b.(json.Number)
	if ok1 && ok2 {
		ra, okA := new(big.Rat).SetString(string(na))
		rb, okB := new(big.Rat).SetString(string(nb))
		return okA && okB && ra.Cmp(rb) == 0
	}
	return reflect.DeepEqual(a, b)
}
