package main

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The embedded files use the layout of `tofu providers schema -json`.
type schemaFile struct {
	FormatVersion   string                    `json:"format_version"`
	ProviderSchemas map[string]providerSchema `json:"provider_schemas"`
	TFCheck         struct {
		ProviderVersion string `json:"provider_version"`
	} `json:"tfcheck"`
}

type providerSchema struct {
	Provider          *jsonSchema            `json:"provider"`
	ResourceSchemas   map[string]*jsonSchema `json:"resource_schemas"`
	DataSourceSchemas map[string]*jsonSchema `json:"data_source_schemas"`
}

type jsonSchema struct {
	Version int64      `json:"version"`
	Block   *jsonBlock `json:"block"`
}

type jsonBlock struct {
	Attributes map[string]*jsonAttribute `json:"attributes"`
	BlockTypes map[string]*jsonBlockType `json:"block_types"`
}

type jsonAttribute struct {
	Type       json.RawMessage `json:"type"`
	NestedType json.RawMessage `json:"nested_type"`
	Required   bool            `json:"required"`
	Optional   bool            `json:"optional"`
	Computed   bool            `json:"computed"`
	Sensitive  bool            `json:"sensitive"`

	typ tftypes.Type
}

type jsonBlockType struct {
	NestingMode string     `json:"nesting_mode"`
	Block       *jsonBlock `json:"block"`
	MinItems    int64      `json:"min_items"`
	MaxItems    int64      `json:"max_items"`
}

// loaded is one provider's schema, ready to serve.
type loaded struct {
	version   string
	provider  *jsonSchema
	resources map[string]*jsonSchema
	data      map[string]*jsonSchema
	proto     *tfprotov6.GetProviderSchemaResponse
}

func loadSchema(raw []byte, providerType string) (*loaded, error) {
	var f schemaFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	var ps *providerSchema
	for addr, p := range f.ProviderSchemas {
		if lastSegment(addr) == providerType {
			p := p
			ps = &p
		}
	}
	if ps == nil {
		return nil, fmt.Errorf("schema file has no provider %q", providerType)
	}
	l := &loaded{version: f.TFCheck.ProviderVersion, provider: ps.Provider, resources: ps.ResourceSchemas, data: ps.DataSourceSchemas}
	if l.provider == nil {
		l.provider = &jsonSchema{Block: &jsonBlock{}}
	}
	resp := &tfprotov6.GetProviderSchemaResponse{
		ServerCapabilities: &tfprotov6.ServerCapabilities{PlanDestroy: true},
		ResourceSchemas:    map[string]*tfprotov6.Schema{},
		DataSourceSchemas:  map[string]*tfprotov6.Schema{},
	}
	var err error
	if resp.Provider, err = toProto(l.provider); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	for name, s := range l.resources {
		if resp.ResourceSchemas[name], err = toProto(s); err != nil {
			return nil, fmt.Errorf("resource %s: %w", name, err)
		}
	}
	for name, s := range l.data {
		if resp.DataSourceSchemas[name], err = toProto(s); err != nil {
			return nil, fmt.Errorf("data source %s: %w", name, err)
		}
	}
	l.proto = resp
	return l, nil
}

func lastSegment(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == '/' {
			return addr[i+1:]
		}
	}
	return addr
}

func toProto(s *jsonSchema) (*tfprotov6.Schema, error) {
	if s.Block == nil {
		s.Block = &jsonBlock{}
	}
	b, err := blockToProto(s.Block)
	if err != nil {
		return nil, err
	}
	return &tfprotov6.Schema{Version: s.Version, Block: b}, nil
}

func blockToProto(b *jsonBlock) (*tfprotov6.SchemaBlock, error) {
	out := &tfprotov6.SchemaBlock{}
	for _, name := range sortedKeys(b.Attributes) {
		a := b.Attributes[name]
		if len(a.NestedType) > 0 {
			return nil, fmt.Errorf("attribute %s: nested_type attributes are not supported by the tfcheck provider", name)
		}
		t, err := tftypes.ParseJSONType(a.Type) //nolint:staticcheck // the cty JSON type format is what the file holds
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
		a.typ = t
		out.Attributes = append(out.Attributes, &tfprotov6.SchemaAttribute{
			Name: name, Type: t, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive,
		})
	}
	for _, name := range sortedKeys(b.BlockTypes) {
		bt := b.BlockTypes[name]
		if bt.Block == nil {
			bt.Block = &jsonBlock{}
		}
		inner, err := blockToProto(bt.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", name, err)
		}
		var mode tfprotov6.SchemaNestedBlockNestingMode
		switch bt.NestingMode {
		case "single":
			mode = tfprotov6.SchemaNestedBlockNestingModeSingle
		case "group":
			mode = tfprotov6.SchemaNestedBlockNestingModeGroup
		case "list":
			mode = tfprotov6.SchemaNestedBlockNestingModeList
		case "set":
			mode = tfprotov6.SchemaNestedBlockNestingModeSet
		case "map":
			mode = tfprotov6.SchemaNestedBlockNestingModeMap
		default:
			return nil, fmt.Errorf("block %s: unknown nesting mode %q", name, bt.NestingMode)
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov6.SchemaNestedBlock{
			TypeName: name, Block: inner, Nesting: mode, MinItems: bt.MinItems, MaxItems: bt.MaxItems,
		})
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// objectType is the type of a value that conforms to block b.
func (b *jsonBlock) objectType() tftypes.Object {
	attrs := map[string]tftypes.Type{}
	for name, a := range b.Attributes {
		if a.typ == nil {
			t, err := tftypes.ParseJSONType(a.Type) //nolint:staticcheck
			if err != nil {
				panic(err)
			}
			a.typ = t
		}
		attrs[name] = a.typ
	}
	for name, bt := range b.BlockTypes {
		ot := bt.Block.objectType()
		switch bt.NestingMode {
		case "single", "group":
			attrs[name] = ot
		case "list":
			attrs[name] = tftypes.List{ElementType: ot}
		case "set":
			attrs[name] = tftypes.Set{ElementType: ot}
		case "map":
			attrs[name] = tftypes.Map{ElementType: ot}
		}
	}
	return tftypes.Object{AttributeTypes: attrs}
}
