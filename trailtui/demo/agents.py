"""User agents and source addresses of the demo's principals.

Addresses come from ranges reserved for documentation and testing so the demo
never names a real host: 203.0.113.0/24 is the corporate network and CI,
198.51.100.0/24 cloud NAT gateways and people working from home,
2001:db8::/32 IPv6 homes, 198.18.0.0/15 the noisy internet, 10.0.0.0/8 calls
through VPC endpoints.  192.0.2.0/24 is reserved for the planted attacker, so
"a new IP" is really new.
"""

from __future__ import annotations

OFFICE = tuple(f"203.0.113.{i}" for i in (10, 11, 12))
VPN = tuple(f"203.0.113.{i}" for i in range(20, 28))
CI_RUNNERS = tuple(f"203.0.113.{i}" for i in range(100, 124))
REPORTING_SERVER = ("203.0.113.40",)
BACKUP_SERVER = ("203.0.113.52",)
PROD_NAT = ("198.51.100.10", "198.51.100.11", "198.51.100.12")
DEV_NAT = ("198.51.100.20", "198.51.100.21")
MGMT_NAT = ("198.51.100.30",)


def homes(*last: int) -> tuple[str, ...]:
    return tuple(f"198.51.100.{i}" for i in last)


def ipv6_home(n: int) -> str:
    return f"2001:db8:4f2a:{n:x}::{n * 7 + 3:x}"


SCANNER_INTERNET = tuple(f"198.18.{a}.{b}" for a, b in ((4, 17), (9, 201), (33, 8), (120, 66), (201, 145), (77, 3)))

BROWSER_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/130.0.0.0 Safari/537.36")
BROWSER_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0"
BROWSER_LINUX = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 "
                 "Safari/537.36")
CONSOLE = "AWS Internal"
S3_CONSOLE = ("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750 Linux/5.10.226-192.879.amzn2int.x86_64 "
              "OpenJDK_64-Bit_Server_VM/25.412-b09 java/1.8.0_412 vendor/Oracle_Corporation cfg/retry-mode/standard]")

# `{command}` is replaced by the CLI command of the call (`ec2.describe-instances`).
CLI_MAC = ("aws-cli/2.18.14 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 "
           "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#{command}")
CLI_LINUX = ("aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.11.9 "
             "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off "
             "md/command#{command}")
CLI_GITHUB = ("aws-cli/2.18.14 md/awscrt#0.22.0 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 "
              "md/pyimpl#CPython exec-env/github-actions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 "
              "md/prompt#off md/command#{command}")
BOTO_REPORTING = ("Boto3/1.28.57 md/Botocore#1.31.57 ua/2.0 os/linux#4.14.336-253.554.amzn2.x86_64 md/arch#x86_64 "
                  "lang/python#3.9.16 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.57")
BOTO_LAMBDA = ("Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227-239.884.amzn2.x86_64 md/arch#x86_64 "
               "lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy "
               "Botocore/1.34.145")
NODE_LAMBDA = ("aws-sdk-js/3.654.0 ua/2.1 os/linux#5.10.227-239.884.amzn2.x86_64 lang/js md/nodejs#20.17.0 "
               "api/dynamodb#3.654.0 exec-env/AWS_Lambda_nodejs20.x m/E")
JAVA_APP = ("aws-sdk-java/2.25.60 Linux/6.1.112-124.190.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS "
            "Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/standard")
SSM_AGENT = "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.1142.0"
ECS_AGENT = ("aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ecr#1.32.0 "
             "ecs-agent/1.86.3")
KUBELET = "aws-sdk-go/1.44.328 (go1.22.5; linux; amd64) ecr-credential-provider/v1.30.2"
KARPENTER = ("aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.187.0 "
             "karpenter.sh-1.0.6")
TERRAFORM = ("APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 "
             "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.3 ua/2.1 os/linux "
             "lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64")
SCANNER = ("Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.8.0-1016-aws md/arch#x86_64 lang/python#3.12.7 "
           "md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.35.36 prowler/4.5.0")
BACKUP_AGENT = ("aws-sdk-java/1.12.261 Linux/3.10.0-1160.el7.x86_64 Java_HotSpot(TM)_64-Bit_Server_VM/25.341-b10 "
                "java/1.8.0_341")
