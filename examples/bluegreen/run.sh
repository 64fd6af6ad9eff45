#!/usr/bin/env bash
# Blue/green through CodeDeploy on the local ECS, from nothing: build
# ecsdeploy, serve the local ECS over HTTP, create a load balancer with two
# target groups and a production and a test listener, a CODE_DEPLOY service
# and the CodeDeploy application and deployment group with the AWS CLI, then
# deploy a new image through a canary with ecsdeploy. It runs in a
# throwaway directory and needs port 4566 free.
#
# The lines between "README begin" and "README end" are the example in
# README.md's "Blue/green" section, word for word (a test compares them).
set -euo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/ecsdeploy" ./cmd/ecsdeploy
# An AWS CLI installed through pyenv is found through a shim, a shell script
# that looks the program up at every run (more than the CLI's own start-up):
# the example runs the CLI it finds directly, the same program.
if real_aws=$(pyenv which aws 2>/dev/null) && [ -x "$real_aws" ]; then
  ln -s "$real_aws" "$work/aws"
fi
export PATH="$work:$PATH"
cd "$work"

# README begin
ecsdeploy local serve --addr 127.0.0.1:4566 --state bluegreen.json --speed 60 >serve.log &
export AWS_ENDPOINT_URL=http://127.0.0.1:4566 AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
until aws ecs list-clusters >/dev/null 2>&1; do sleep 0.2; done

# A load balancer, the blue and green target groups, production (:80) and test (:8080) listeners.
lb=$(aws elbv2 create-load-balancer --name web --subnets subnet-a subnet-b \
  --query 'LoadBalancers[0].LoadBalancerArn' --output text)
tg() { aws elbv2 create-target-group --name "$1" --protocol HTTP --port 8080 --vpc-id vpc-1 \
  --target-type ip --query 'TargetGroups[0].TargetGroupArn' --output text; }
blue=$(tg web-blue) green=$(tg web-green)
listener() { aws elbv2 create-listener --load-balancer-arn "$lb" --protocol HTTP --port "$1" \
  --default-actions Type=forward,TargetGroupArn="$blue" --query 'Listeners[0].ListenerArn' --output text; }
prod=$(listener 80) test=$(listener 8080)

# The service, deployed by CodeDeploy, on the blue target group.
aws ecs create-cluster --cluster-name bluegreen >/dev/null
aws ecs register-task-definition --family web --network-mode awsvpc --requires-compatibilities FARGATE \
  --cpu 256 --memory 512 >/dev/null \
  --container-definitions '[{"name":"app","image":"nginx:1.27","portMappings":[{"containerPort":8080}]}]'
aws ecs create-service --cluster bluegreen --service-name web --task-definition web:1 --desired-count 2 \
  --launch-type FARGATE --deployment-controller type=CODE_DEPLOY >/dev/null \
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-a,subnet-b]}' \
  --load-balancers targetGroupArn="$blue",containerName=app,containerPort=8080

# The CodeDeploy application and deployment group (a minute's termination wait).
aws deploy create-application --application-name web --compute-platform ECS >/dev/null
aws deploy create-deployment-group --application-name web --deployment-group-name web >/dev/null \
  --service-role-arn arn:aws:iam::000000000000:role/codedeploy \
  --deployment-style deploymentType=BLUE_GREEN,deploymentOption=WITH_TRAFFIC_CONTROL \
  --blue-green-deployment-configuration 'deploymentReadyOption={actionOnTimeout=CONTINUE_DEPLOYMENT},terminateBlueInstancesOnDeploymentSuccess={action=TERMINATE,terminationWaitTimeInMinutes=1}' \
  --auto-rollback-configuration enabled=true,events=DEPLOYMENT_FAILURE \
  --ecs-services clusterName=bluegreen,serviceName=web \
  --load-balancer-info "targetGroupPairInfoList=[{targetGroups=[{name=web-blue},{name=web-green}],prodTrafficRoute={listenerArns=[$prod]},testTrafficRoute={listenerArns=[$test]}}]"

# Deploy a new image: 10% of production traffic for 5 minutes, then all of it.
ecsdeploy deploy --cluster bluegreen --service web --image app=nginx:1.28 \
  --deployment-config CodeDeployDefault.ECSCanary10Percent5Minutes
aws elbv2 describe-listeners --listener-arns "$prod" \
  --query 'Listeners[0].DefaultActions[0].ForwardConfig.TargetGroups[?Weight>`0`].TargetGroupArn' --output text
# README end

echo "== check: production traffic is on the green target group, which runs web:2"
on=$(aws elbv2 describe-listeners --listener-arns "$prod" \
  --query 'Listeners[0].DefaultActions[0].ForwardConfig.TargetGroups[?Weight>`0`].TargetGroupArn' --output text)
primary=$(aws ecs describe-services --cluster bluegreen --services web \
  --query 'services[0].taskSets[?status==`PRIMARY`].taskDefinition' --output text)
if [ "$on" != "$green" ] || [ "${primary##*/}" != "web:2" ]; then
  echo "unexpected: production traffic on $on (green is $green), PRIMARY task set runs $primary" >&2
  exit 1
fi
echo ok
