// Command terraform-provider-aws (tfcheck) is a test-only Terraform/OpenTofu provider.
//
// It serves the real schema of hashicorp/aws, extracted into tfcheck/testdata/aws-schema.json,
// so that `tofu validate` and `tofu test` check configurations against it. It creates nothing:
//
//   - GetProviderSchema / GetMetadata: the embedded schema.
//   - Validate*Config, ValidateProviderConfig: OpenTofu itself checks names, types, required
//     arguments and block counts against the schema; the provider adds what the real one's SDK
//     adds at this point: a value for a computed-only attribute is an error (validate.go).
//   - ConfigureProvider: accept (no credentials are needed or read).
//   - PlanResourceChange: the proposed new state, with every computed attribute that is still
//     null set to unknown, as a real provider does on create ("known after apply").
//   - ReadResource: the prior state unchanged. UpgradeResourceState: the stored state decoded
//     with the current schema.
//   - ReadDataSource, ApplyResourceChange, ImportResourceState, MoveResourceState: an error
//     diagnostic. Data sources such as aws_iam_policy_document compute their result from AWS
//     rules; this provider does not imitate them. Use `mock_provider "aws"` in `tofu test`
//     (OpenTofu then serves plan/apply/read itself and only asks this provider for the schema
//     and validation).
//   - Functions, ephemeral resources, resource identities: none.
//
// The binary chooses the schema by its own name: terraform-provider-<type>[_vX.Y.Z].
package main

import (
	"context"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// schemas/ is filled by tfcheck/tools.sh from tfcheck/testdata/*-schema.json before the build
// (the copies are gitignored; README.md keeps the folder so the package compiles without them).
//
//go:embed schemas
var schemas embed.FS

func providerType() string {
	if t := os.Getenv("TFCHECK_PROVIDER_TYPE"); t != "" {
		return t
	}
	base := filepath.Base(os.Args[0])
	base = strings.TrimPrefix(base, "terraform-provider-")
	if i := strings.Index(base, "_"); i >= 0 {
		base = base[:i]
	}
	return base
}

func schemaFor(typ string) (*loaded, error) {
	raw, err := schemas.ReadFile("schemas/" + typ + "-schema.json")
	if err != nil {
		return nil, fmt.Errorf("no embedded schema for provider %q (build with tfcheck/tools.sh): %w", typ, err)
	}
	return loadSchema(raw, typ)
}

func main() {
	typ := providerType()
	l, err := schemaFor(typ)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tfcheck provider:", err)
		os.Exit(1)
	}
	// Terraform/OpenTofu start the binary as a plugin; go-plugin checks the magic cookie and
	// prints a human message when run by hand.
	if err := tf6server.Serve("registry.opentofu.org/hashicorp/"+typ, func() tfprotov6.ProviderServer {
		return &server{s: l}
	}); err != nil {
		fmt.Fprintln(os.Stderr, "tfcheck provider:", err)
		os.Exit(1)
	}
}

type server struct {
	s *loaded
}

var _ tfprotov6.ProviderServer = (*server)(nil)

func errDiag(summary, detail string) []*tfprotov6.Diagnostic {
	return []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError, Summary: summary, Detail: detail}}
}

const notReal = "This is the tfcheck test-only provider: it serves the real hashicorp/aws schema for " +
	"validation and creates or reads nothing. Use `tofu validate`, or `tofu test` with `mock_provider \"aws\"`."

func (p *server) GetMetadata(context.Context, *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	resp := &tfprotov6.GetMetadataResponse{ServerCapabilities: p.s.proto.ServerCapabilities}
	for _, name := range sortedKeys(p.s.resources) {
		resp.Resources = append(resp.Resources, tfprotov6.ResourceMetadata{TypeName: name})
	}
	for _, name := range sortedKeys(p.s.data) {
		resp.DataSources = append(resp.DataSources, tfprotov6.DataSourceMetadata{TypeName: name})
	}
	return resp, nil
}

func (p *server) GetProviderSchema(context.Context, *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return p.s.proto, nil
}

func (p *server) GetResourceIdentitySchemas(context.Context, *tfprotov6.GetResourceIdentitySchemasRequest) (*tfprotov6.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov6.GetResourceIdentitySchemasResponse{IdentitySchemas: map[string]*tfprotov6.ResourceIdentitySchema{}}, nil
}

func (p *server) ValidateProviderConfig(_ context.Context, req *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return &tfprotov6.ValidateProviderConfigResponse{PreparedConfig: req.Config, Diagnostics: decodeAndValidate(p.s.provider, req.Config)}, nil
}

func (p *server) ConfigureProvider(context.Context, *tfprotov6.ConfigureProviderRequest) (*tfprotov6.ConfigureProviderResponse, error) {
	return &tfprotov6.ConfigureProviderResponse{}, nil
}

func (p *server) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return &tfprotov6.StopProviderResponse{}, nil
}

func (p *server) ValidateResourceConfig(_ context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	rs, ok := p.s.resources[req.TypeName]
	if !ok {
		return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: errDiag("Unsupported resource type", req.TypeName)}, nil
	}
	return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: decodeAndValidate(rs, req.Config)}, nil
}

func (p *server) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	rs, ok := p.s.resources[req.TypeName]
	if !ok {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errDiag("Unsupported resource type", req.TypeName)}, nil
	}
	typ := rs.Block.objectType()
	if req.RawState == nil {
		return &tfprotov6.UpgradeResourceStateResponse{}, nil
	}
	v, err := req.RawState.UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: errDiag("Cannot decode prior state", err.Error())}, nil
	}
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		return nil, err
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
}

func (p *server) ReadResource(_ context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

func (p *server) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	rs, ok := p.s.resources[req.TypeName]
	if !ok {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: errDiag("Unsupported resource type", req.TypeName)}, nil
	}
	typ := rs.Block.objectType()
	proposed, err := req.ProposedNewState.Unmarshal(typ)
	if err != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: errDiag("Cannot decode proposed state", err.Error())}, nil
	}
	if proposed.IsNull() { // destroy
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedPrivate: req.PriorPrivate}, nil
	}
	planned, err := unknownComputed(rs.Block, proposed)
	if err != nil {
		return &tfprotov6.PlanResourceChangeResponse{Diagnostics: errDiag("Cannot plan", err.Error())}, nil
	}
	dv, err := tfprotov6.NewDynamicValue(typ, planned)
	if err != nil {
		return nil, err
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: &dv, PlannedPrivate: req.PriorPrivate}, nil
}

// unknownComputed sets every computed attribute that is null in v (the proposed new state) to
// unknown, in v and in its nested blocks.
func unknownComputed(b *jsonBlock, v tftypes.Value) (tftypes.Value, error) {
	if v.IsNull() || !v.IsKnown() {
		return v, nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return v, err
	}
	for name, a := range b.Attributes {
		if av, ok := attrs[name]; ok && a.Computed && av.IsNull() {
			attrs[name] = tftypes.NewValue(av.Type(), tftypes.UnknownValue)
		}
	}
	for name, bt := range b.BlockTypes {
		bv, ok := attrs[name]
		if !ok || bv.IsNull() || !bv.IsKnown() {
			continue
		}
		switch bt.NestingMode {
		case "single", "group":
			nv, err := unknownComputed(bt.Block, bv)
			if err != nil {
				return v, err
			}
			attrs[name] = nv
		case "list", "set":
			var elems []tftypes.Value
			if err := bv.As(&elems); err != nil {
				return v, err
			}
			for i := range elems {
				nv, err := unknownComputed(bt.Block, elems[i])
				if err != nil {
					return v, err
				}
				elems[i] = nv
			}
			attrs[name] = tftypes.NewValue(bv.Type(), elems)
		case "map":
			var elems map[string]tftypes.Value
			if err := bv.As(&elems); err != nil {
				return v, err
			}
			for k := range elems {
				nv, err := unknownComputed(bt.Block, elems[k])
				if err != nil {
					return v, err
				}
				elems[k] = nv
			}
			attrs[name] = tftypes.NewValue(bv.Type(), elems)
		}
	}
	return tftypes.NewValue(v.Type(), attrs), nil
}

func (p *server) ApplyResourceChange(_ context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return &tfprotov6.ApplyResourceChangeResponse{Diagnostics: errDiag("Cannot apply "+req.TypeName, notReal)}, nil
}

func (p *server) ImportResourceState(_ context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return &tfprotov6.ImportResourceStateResponse{Diagnostics: errDiag("Cannot import "+req.TypeName, notReal)}, nil
}

func (p *server) MoveResourceState(_ context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return &tfprotov6.MoveResourceStateResponse{Diagnostics: errDiag("Cannot move state to "+req.TargetTypeName, notReal)}, nil
}

func (p *server) UpgradeResourceIdentity(_ context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return &tfprotov6.UpgradeResourceIdentityResponse{Diagnostics: errDiag("Resource identity is not supported for "+req.TypeName, notReal)}, nil
}

func (p *server) ValidateDataResourceConfig(_ context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	ds, ok := p.s.data[req.TypeName]
	if !ok {
		return &tfprotov6.ValidateDataResourceConfigResponse{Diagnostics: errDiag("Unsupported data source", req.TypeName)}, nil
	}
	return &tfprotov6.ValidateDataResourceConfigResponse{Diagnostics: decodeAndValidate(ds, req.Config)}, nil
}

func (p *server) ReadDataSource(_ context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return &tfprotov6.ReadDataSourceResponse{Diagnostics: errDiag("Cannot read data source "+req.TypeName, notReal)}, nil
}

func (p *server) GetFunctions(context.Context, *tfprotov6.GetFunctionsRequest) (*tfprotov6.GetFunctionsResponse, error) {
	return &tfprotov6.GetFunctionsResponse{Functions: map[string]*tfprotov6.Function{}}, nil
}

func (p *server) CallFunction(_ context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return &tfprotov6.CallFunctionResponse{Error: &tfprotov6.FunctionError{Text: "the tfcheck provider has no function " + req.Name}}, nil
}

func (p *server) ValidateEphemeralResourceConfig(_ context.Context, req *tfprotov6.ValidateEphemeralResourceConfigRequest) (*tfprotov6.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov6.ValidateEphemeralResourceConfigResponse{Diagnostics: errDiag("Unsupported ephemeral resource", req.TypeName)}, nil
}

func (p *server) OpenEphemeralResource(_ context.Context, req *tfprotov6.OpenEphemeralResourceRequest) (*tfprotov6.OpenEphemeralResourceResponse, error) {
	return &tfprotov6.OpenEphemeralResourceResponse{Diagnostics: errDiag("Unsupported ephemeral resource", req.TypeName)}, nil
}

func (p *server) RenewEphemeralResource(_ context.Context, req *tfprotov6.RenewEphemeralResourceRequest) (*tfprotov6.RenewEphemeralResourceResponse, error) {
	return &tfprotov6.RenewEphemeralResourceResponse{Diagnostics: errDiag("Unsupported ephemeral resource", req.TypeName)}, nil
}

func (p *server) CloseEphemeralResource(_ context.Context, req *tfprotov6.CloseEphemeralResourceRequest) (*tfprotov6.CloseEphemeralResourceResponse, error) {
	return &tfprotov6.CloseEphemeralResourceResponse{}, nil
}
