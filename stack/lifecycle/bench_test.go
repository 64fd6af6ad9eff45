package lifecycle

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/ecsdeploy/ecsdeploy/awsconfig"
	"github.com/ecsdeploy/ecsdeploy/emulator"
	localcfn "github.com/ecsdeploy/ecsdeploy/emulator/cloudformation"
)

// BenchmarkNoOpDeployOnLocalECS measures a deploy that finds nothing to
// change: the cost of running `stack deploy` in every pipeline run. It
// reports the CloudFormation calls one such deploy makes.
func BenchmarkNoOpDeployOnLocalECS(b *testing.B) {
	em := emulator.New(emulator.Options{Speed: 400})
	b.Cleanup(func() {
		if err := em.Close(); err != nil {
			b.Error(err)
		}
	})
	localcfn.Register(em)
	calls := &awsconfig.CallCounter{}
	cfg, err := awsconfig.Load(context.Background(), awsconfig.Options{Handler: em, Region: "us-east-1", Calls: calls})
	if err != nil {
		b.Fatal(err)
	}
	client := cloudformation.NewFromConfig(cfg)
	_, opts := localSpec(b, "nginx:1.27", 1)
	if _, err := Deploy(context.Background(), client, opts); err != nil {
		b.Fatal(err)
	}
	before := calls.Total()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := Deploy(context.Background(), client, opts)
		if err != nil || res.Action != ActionUnchanged {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(calls.Total()-before)/float64(b.N), "api-calls/op")
}
