package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// migrations[n] turns an answers document of schema n into schema n+1. When
// an answer is renamed, split or changes meaning, bump SchemaVersion and add
// the step here, with a test; old projects then upgrade without the user
// re-answering anything. Schema 1 is the first released schema, so the map
// is empty for now.
var migrations = map[int]func(doc map[string]any) error{}

// migrateAnswers brings a recorded answers document from schema `from` to
// the current one and decodes it strictly.
func migrateAnswers(raw json.RawMessage, from int) (Answers, error) {
	var a Answers
	if from > SchemaVersion {
		return a, fmt.Errorf("answers schema %d is newer than this wsqgen understands (%d): install a newer wsqgen", from, SchemaVersion)
	}
	doc := map[string]any{}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return a, err
	}
	for v := from; v < SchemaVersion; v++ {
		step, ok := migrations[v]
		if !ok {
			return a, fmt.Errorf("no migration from answers schema %d to %d", v, v+1)
		}
		if err := step(doc); err != nil {
			return a, fmt.Errorf("migrate answers from schema %d: %w", v, err)
		}
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return a, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, fmt.Errorf("answers (schema %d): %w", SchemaVersion, err)
	}
	return a, nil
}
