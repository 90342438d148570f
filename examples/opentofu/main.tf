# From nothing to a bootable installer, in HCL: find the VPS by name, download the ISO
# from its URL into the library, mount it, and mount a rescue ISO the library already
# has next to it. The key and the endpoint come from HOSTUP_API_KEY and
# HOSTUP_ENDPOINT (README.md in this directory runs it against the simulator).

terraform {
  required_providers {
    hostup = { source = "hostup/hostup" }
  }
}

variable "vps_name" {
  type    = string
  default = "build-1"
}

variable "iso_url" {
  type    = string
  default = "https://cdimage.example.org/debian-13-netinst.iso"
}

variable "iso_filename" {
  type    = string
  default = "debian-13-netinst.iso"
}

provider "hostup" {}

data "hostup_vps" "target" {
  name = var.vps_name
}

resource "hostup_vps_iso_image" "installer" {
  vps_id   = data.hostup_vps.target.id
  url      = var.iso_url
  filename = var.iso_filename
}

# iso_id comes from the image, so tofu mounts after the download and unmounts before
# the delete.
resource "hostup_vps_iso_mount" "installer" {
  vps_id = data.hostup_vps.target.id
  iso_id = hostup_vps_iso_image.installer.iso_id
  device = "ide3"
}

data "hostup_iso" "rescue" {
  vps_id = data.hostup_vps.target.id
  name   = "systemrescue-11.02-amd64.iso"
}

resource "hostup_vps_iso_mount" "rescue" {
  vps_id = data.hostup_vps.target.id
  iso_id = data.hostup_iso.rescue.id
  device = "ide1"
}

output "vps_ip" {
  value = data.hostup_vps.target.primary_ip
}

output "installer" {
  value = {
    iso_id  = hostup_vps_iso_image.installer.iso_id
    size_gb = hostup_vps_iso_image.installer.size_gb
    device  = hostup_vps_iso_mount.installer.device
  }
}

output "next" {
  value = "reboot ${var.vps_name} from its ${hostup_vps_iso_mount.installer.device} CD/DVD drive to start the installer"
}
