// The Go floor of bench/opentofu.py: a provider on terraform-plugin-framework whose
// `gofloor_mount` has the attributes of hostup_vps_iso_mount and does no I/O, so
// `tofu apply` of N of them is what tofu and a Go provider cost by themselves.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

type floorProvider struct{}

func (p *floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "gofloor"
}

func (p *floorProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{Attributes: map[string]pschema.Attribute{
		"endpoint": pschema.StringAttribute{Optional: true},
	}}
}

func (p *floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &mount{} }}
}

func (p *floorProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}

type mount struct{}

type mountModel struct {
	ID             types.String  `tfsdk:"id"`
	VpsID          types.String  `tfsdk:"vps_id"`
	IsoID          types.String  `tfsdk:"iso_id"`
	Device         types.String  `tfsdk:"device"`
	IsoName        types.String  `tfsdk:"iso_name"`
	IsoDisplayName types.String  `tfsdk:"iso_display_name"`
	IsoSizeGb      types.Float64 `tfsdk:"iso_size_gb"`
	BootOrder      types.String  `tfsdk:"boot_order"`
	Adopted        types.Bool    `tfsdk:"adopted"`
}

func (r *mount) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_mount"
}

func (r *mount) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":     schema.StringAttribute{Computed: true},
		"vps_id": schema.StringAttribute{Required: true, PlanModifiers: replace},
		"iso_id": schema.StringAttribute{Required: true},
		"device": schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString("ide2"),
			PlanModifiers: replace,
		},
		"iso_name":         schema.StringAttribute{Computed: true},
		"iso_display_name": schema.StringAttribute{Computed: true},
		"iso_size_gb":      schema.Float64Attribute{Computed: true},
		"boot_order":       schema.StringAttribute{Computed: true},
		"adopted":          schema.BoolAttribute{Computed: true},
	}}
}

func settle(m *mountModel) {
	m.ID = types.StringValue(m.VpsID.ValueString() + "/" + m.Device.ValueString())
	m.IsoName = types.StringValue("floor.iso")
	m.IsoDisplayName = types.StringNull()
	m.IsoSizeGb = types.Float64Value(1)
	m.BootOrder = types.StringValue(`{"order": ["` + m.Device.ValueString() + `"]}`)
	m.Adopted = types.BoolValue(false)
}

func (r *mount) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m mountModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	settle(&m)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *mount) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *mount) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m mountModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	settle(&m)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *mount) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return &floorProvider{} },
		providerserver.ServeOpts{Address: "registry.opentofu.org/bench/gofloor"})
	if err != nil {
		log.Fatal(err)
	}
}
