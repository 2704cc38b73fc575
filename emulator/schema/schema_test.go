package schema

import "testing"

const model = `{
  "$schema": "http://json-schema.org/draft-04/schema#",
  "type": "object",
  "required": ["action", "id"],
  "properties": {
    "action": {"type": "string", "enum": ["send"]},
    "id": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[\\x21-\\x7E]+$"},
    "text": {"type": "string", "maxLength": 3},
    "n": {"type": "integer", "minimum": 0},
    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2}
  },
  "additionalProperties": false
}`

func TestValidate(t *testing.T) {
	s, err := Compile([]byte(model))
	if err != nil {
		t.Fatal(err)
	}
	good := []string{
		`{"action":"send","id":"a-1"}`,
		`{"action":"send","id":"x","text":"😀😀😀","n":3,"tags":["a"]}`,
	}
	bad := []string{
		`not json`,
		`{"action":"send","id":"a"} {}`,
		`[]`,
		`{"action":"send"}`,
		`{"action":"other","id":"a"}`,
		`{"action":"send","id":""}`,
		`{"action":"send","id":"has space"}`,
		`{"action":"send","id":"a","text":"abcd"}`,
		`{"action":"send","id":"a","n":1.5}`,
		`{"action":"send","id":"a","n":-1}`,
		`{"action":"send","id":"a","tags":["a",1]}`,
		`{"action":"send","id":"a","tags":["a","b","c"]}`,
		`{"action":"send","id":"a","extra":1}`,
	}
	for _, b := range good {
		if err := s.Validate([]byte(b)); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
	for _, b := range bad {
		if err := s.Validate([]byte(b)); err == nil {
			t.Errorf("%s: accepted", b)
		}
	}
	if _, err := Compile([]byte(`{"pattern":"("}`)); err == nil {
		t.Error("bad pattern compiled")
	}
}
