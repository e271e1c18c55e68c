"""The service hall (政务服务大厅): windows, opening hours, appointments, queue numbers and calling, hall screens, the window rating device, hall statistics."""
