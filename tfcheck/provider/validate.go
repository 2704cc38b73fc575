package main

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// OpenTofu checks names, types, required arguments and block counts against the schema
// itself, but leaves it to the provider to reject a value for a computed-only attribute
// (terraform-plugin-sdk does it in its validation). validateConfig does that, with the
// SDK's wording, so that `arn = "…"` on a resource fails here as it does with the real
// provider.
func validateConfig(b *jsonBlock, v tftypes.Value) []*tfprotov6.Diagnostic {
	var diags []*tfprotov6.Diagnostic
	walkConfig(b, v, tftypes.NewAttributePath(), &diags)
	return diags
}

func walkConfig(b *jsonBlock, v tftypes.Value, path *tftypes.AttributePath, diags *[]*tfprotov6.Diagnostic) {
	if v.IsNull() || !v.IsKnown() {
		return
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return
	}
	for _, name := range sortedKeys(b.Attributes) {
		a := b.Attributes[name]
		av, ok := attrs[name]
		if !ok || av.IsNull() {
			continue
		}
		if a.Computed && !a.Optional && !a.Required {
			*diags = append(*diags, &tfprotov6.Diagnostic{
				Severity:  tfprotov6.DiagnosticSeverityError,
				Summary:   "Computed attributes cannot be set",
				Detail:    fmt.Sprintf("Computed attributes cannot be set, but a value was set for %q.", name),
				Attribute: path.WithAttributeName(name),
			})
		}
	}
	for _, name := range sortedKeys(b.BlockTypes) {
		bt := b.BlockTypes[name]
		bv, ok := attrs[name]
		if !ok || bv.IsNull() || !bv.IsKnown() {
			continue
		}
		p := path.WithAttributeName(name)
		switch bt.NestingMode {
		case "single", "group":
			walkConfig(bt.Block, bv, p, diags)
		case "list":
			var elems []tftypes.Value
			if bv.As(&elems) == nil {
				for i, e := range elems {
					walkConfig(bt.Block, e, p.WithElementKeyInt(i), diags)
				}
			}
		case "set":
			var elems []tftypes.Value
			if bv.As(&elems) == nil {
				for _, e := range elems {
					walkConfig(bt.Block, e, p.WithElementKeyValue(e), diags)
				}
			}
		case "map":
			var elems map[string]tftypes.Value
			if bv.As(&elems) == nil {
				for _, k := range sortedKeys(elems) {
					walkConfig(bt.Block, elems[k], p.WithElementKeyString(k), diags)
				}
			}
		}
	}
}

func decodeAndValidate(s *jsonSchema, cfg *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
	if cfg == nil {
		return nil
	}
	v, err := cfg.Unmarshal(s.Block.objectType())
	if err != nil {
		return errDiag("Cannot decode configuration", err.Error())
	}
	return validateConfig(s.Block, v)
}
